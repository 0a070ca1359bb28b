package io.affectune.gateway;

import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/** LOG_FORMAT=json switches the console to structured JSON (Elastic Common Schema); text is the default. */
public class LogFormatEnvironment implements EnvironmentPostProcessor {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if ("json".equalsIgnoreCase(environment.getProperty("LOG_FORMAT", "text").trim())) {
            environment.getPropertySources().addLast(new MapPropertySource("logFormat",
                    Map.of("logging.structured.format.console", "ecs")));
        }
    }
}
