package io.affectune.camera.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * camera-service's package rules, kept true by the build: no package cycles, and the domain (session,
 * vision, frame) never depends on the HTTP/WebSocket layer (api, web, stream) or on the pipeline that
 * drives it (analysis).
 */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.affectune.camera");

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("io.affectune.camera.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void theDomainDoesNotDependOnTheWebLayer() {
        noClasses().that().resideInAnyPackage("..camera.session..", "..camera.vision..", "..camera.frame..")
                .should().dependOnClassesThat().resideInAnyPackage("..camera.api..", "..camera.web..",
                        "..camera.stream..", "..camera.analysis..")
                .check(CLASSES);
    }
}
