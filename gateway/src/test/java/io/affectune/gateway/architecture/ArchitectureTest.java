package io.affectune.gateway.architecture;

import io.affectune.testsupport.PackageRules;
import org.junit.jupiter.api.Test;

/** Package rules of gateway, kept true by the build. */
class ArchitectureTest {

    @Test
    void packagesAreFreeOfCycles() {
        PackageRules.assertFreeOfCycles("io.affectune.gateway");
    }
}
