package io.affectune.gateway;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Everything the gateway can be told from the environment (see application.yml for the variable names).
 *
 * @param emotionServiceUrl  where emotion-service listens
 * @param playlistServiceUrl where playlist-service listens
 * @param cameraServiceUrl   where camera-service listens
 * @param rateLimit          per-client request budget for the API
 * @param maxRequestSize     largest request body the gateway forwards
 * @param corsAllowedOrigins origins (besides the gateway's own) whose pages may call the API; empty = none
 * @param healthTimeout      how long a downstream health check may take before the service counts as down
 * @param cameraInstances    where a camera session whose id names its instance is sent
 */
@ConfigurationProperties("affectune.gateway")
public record GatewaySettings(
        @DefaultValue("http://localhost:8082") URI emotionServiceUrl,
        @DefaultValue("http://localhost:8083") URI playlistServiceUrl,
        @DefaultValue("http://localhost:8081") URI cameraServiceUrl,
        @DefaultValue RateLimit rateLimit,
        @DefaultValue("10MB") DataSize maxRequestSize,
        @DefaultValue List<String> corsAllowedOrigins,
        @DefaultValue("2s") Duration healthTimeout,
        @DefaultValue CameraInstances cameraInstances) {

    /**
     * A token bucket per client: {@code requestsPerSecond} tokens flow in, at most {@code burst} are kept.
     *
     * @param enabled           false switches rate limiting off
     * @param requestsPerSecond sustained rate a client may send
     * @param burst             how many requests a client may send at once after being idle
     * @param maxClients        how many client buckets are remembered (idle ones are forgotten first)
     */
    public record RateLimit(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("20") double requestsPerSecond,
            @DefaultValue("40") int burst,
            @DefaultValue("10000") int maxClients) {}

    /**
     * camera-service keeps a session (and a server-side source) in one instance's memory; with several instances
     * an id is {@code <instance>_<random>} (camera-service's {@code CAMERA_INSTANCE_ID}) and every request on it
     * goes to {@code url} with {@code {instance}} replaced (see affinity.CameraInstanceGatewayFilterFactory).
     *
     * @param url   the instance's base URL, {@code {instance}} standing for its name; empty = every request goes
     *              to {@code cameraServiceUrl}
     * @param names the names (a regular expression, whole match) an id may route to; any other id goes to
     *              {@code cameraServiceUrl}, so a client cannot steer the gateway to another host
     */
    public record CameraInstances(
            @DefaultValue("http://{instance}.camera-service-headless:8081")
            String url,

            @DefaultValue("camera-service-[0-9]{1,4}") String names) {}
}
