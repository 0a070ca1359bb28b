package io.affectune.camera.config;

import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The clock and the thread pool the domain and the pipeline are given rather than reaching for themselves, so that
 * tests can hand the session a simulated clock and the pipeline's blocking OpenCV work has one known home.
 */
@Configuration(proxyBeanMethods = false)
public class RuntimeConfig {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** OpenCV work blocks its thread, so it runs here rather than on the Netty event loop. */
    @Bean(destroyMethod = "dispose")
    Scheduler visionScheduler() {
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        return Schedulers.newBoundedElastic(threads, 64, "vision");
    }
}
