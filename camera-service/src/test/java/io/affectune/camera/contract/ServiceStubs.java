package io.affectune.camera.contract;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The in-process camera-service with WireMock standing in for emotion-service and playlist-service: the base of the
 * consumer contract tests of camera-service's two clients. The contract tests of both clients share this one
 * application context (same properties, same stubs). Time limits are 1 s and breakers wait 1 s here so that
 * time-outs and recoveries are quick; every other resilience value is application.yml's default, read back from
 * the registries where a test counts calls.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "resilience4j.timelimiter.instances.emotion-service.timeout-duration=1s",
            "resilience4j.timelimiter.instances.playlist-service.timeout-duration=1s",
            "resilience4j.circuitbreaker.instances.emotion-service.wait-duration-in-open-state=1s",
            "resilience4j.circuitbreaker.instances.playlist-service.wait-duration-in-open-state=1s",
            "resilience4j.retry.instances.playlist-service.wait-duration=50ms"
        })
public abstract class ServiceStubs {

    /** How long a stub sleeps to provoke a time-out: well past the 1 s limit. */
    protected static final int SLOW_MS = 3000;

    protected static final WireMockServer EMOTION = start();
    protected static final WireMockServer PLAYLIST = start();

    @Autowired
    protected CircuitBreakerRegistry breakers;

    private static WireMockServer start() {
        WireMockServer server =
                new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        return server;
    }

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        registry.add("camera.emotion.url", EMOTION::baseUrl);
        registry.add("camera.playlist.url", PLAYLIST::baseUrl);
    }

    @BeforeEach
    void freshStubsAndBreakers() {
        EMOTION.resetAll();
        PLAYLIST.resetAll();
        breakers.getAllCircuitBreakers().forEach(CircuitBreaker::reset);
    }

    /** Waits (at most 5 s) until the condition holds; false if it never did. */
    protected static boolean eventually(Supplier<Boolean> condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
        while (!condition.get()) {
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }
}
