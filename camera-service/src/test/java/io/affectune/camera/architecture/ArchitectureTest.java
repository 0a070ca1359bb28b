package io.affectune.camera.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import io.affectune.testsupport.PackageRules;
import org.junit.jupiter.api.Test;

/**
 * camera-service's package rules, kept true by the build: no package cycles, and the domain (session,
 * vision, frame) never depends on the HTTP/WebSocket layer (api, web, stream) or on the pipeline that
 * drives it (analysis).
 */
class ArchitectureTest {

    @Test
    void packagesAreFreeOfCycles() {
        PackageRules.assertFreeOfCycles("io.affectune.camera");
    }

    @Test
    void theDomainDoesNotDependOnTheWebLayer() {
        noClasses().that().resideInAnyPackage("..camera.session..", "..camera.vision..", "..camera.frame..")
                .should().dependOnClassesThat().resideInAnyPackage("..camera.api..", "..camera.web..",
                        "..camera.stream..", "..camera.analysis..")
                .check(PackageRules.mainClasses("io.affectune.camera"));
    }
}
