package io.affectune.emotion;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class EmotionServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(EmotionServiceApplication.class, args);
    }
}
