package io.affectune.camera.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import io.affectune.testsupport.PackageRules;
import org.junit.jupiter.api.Test;

/**
 * camera-service's package rules, kept true by the build: no package cycles, and the domain (session,
 * vision, frame, feed) never depends on the HTTP/WebSocket layer (api, web, stream) or on the pipeline that
 * drives it (analysis); the session is pure domain, with its own face-box, mood and playlist types: it knows
 * nothing of the detector (vision), emotion-service's answers (emotion), playlist-service, video sources, the
 * frame results shown to clients (frame) or the live feeds that carry them (feed).
 */
class ArchitectureTest {

    @Test
    void packagesAreFreeOfCycles() {
        PackageRules.assertFreeOfCycles("io.affectune.camera");
    }

    @Test
    void theDomainDoesNotDependOnTheWebLayer() {
        noClasses()
                .that()
                .resideInAnyPackage("..camera.session..", "..camera.vision..", "..camera.frame..", "..camera.feed..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("..camera.api..", "..camera.web..", "..camera.stream..", "..camera.analysis..")
                .check(PackageRules.mainClasses("io.affectune.camera"));
    }

    @Test
    void theSessionIsPureDomain() {
        noClasses()
                .that()
                .resideInAPackage("..camera.session..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "..camera.vision..",
                        "..camera.emotion..",
                        "..camera.playlist..",
                        "..camera.source..",
                        "..camera.frame..",
                        "..camera.feed..",
                        "..camera.api..",
                        "..camera.web..",
                        "..camera.stream..",
                        "..camera.analysis..")
                .check(PackageRules.mainClasses("io.affectune.camera"));
    }
}
