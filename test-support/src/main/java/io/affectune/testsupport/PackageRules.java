package io.affectune.testsupport;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/** The package rules every service keeps (ArchUnit), for each service's ArchitectureTest. */
public final class PackageRules {

    private PackageRules() {}

    /** A service's production classes (no tests) under {@code basePackage}. */
    public static JavaClasses mainClasses(String basePackage) {
        return new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(basePackage);
    }

    /** No two packages directly under {@code basePackage} depend on each other, directly or around a loop. */
    public static void assertFreeOfCycles(String basePackage) {
        slices().matching(basePackage + ".(*)..").should().beFreeOfCycles().check(mainClasses(basePackage));
    }
}
