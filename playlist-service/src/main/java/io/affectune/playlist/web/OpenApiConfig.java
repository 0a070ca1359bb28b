package io.affectune.playlist.web;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
public class OpenApiConfig {

    @Bean
    OpenAPI playlistServiceApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("Affectune playlist-service")
                        .version("v1")
                        .description("Mood playlists ranked on the valence/energy plane, the track catalogue, curated "
                                + "playlists per emotion and listener feedback. With the optional X-Listener-Id header (a random "
                                + "UUID, no account) playlists learn each listener's taste from their likes and skips; "
                                + "/api/v1/listeners/{id} holds their opt-in history and forget-me. Errors are "
                                + "application/problem+json."));
    }
}
