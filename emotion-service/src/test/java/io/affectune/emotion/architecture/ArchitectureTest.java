package io.affectune.emotion.architecture;

import io.affectune.testsupport.PackageRules;
import org.junit.jupiter.api.Test;

/** Package rules of emotion-service, kept true by the build. */
class ArchitectureTest {

    @Test
    void packagesAreFreeOfCycles() {
        PackageRules.assertFreeOfCycles("io.affectune.emotion");
    }
}
