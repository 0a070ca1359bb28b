package io.affectune.playlist.curated;

import io.affectune.support.problem.ApiProblem;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/** Checks the admin bearer token for writes, comparing in constant time. */
@Component
public class AdminTokenGuard {

    private final byte[] expectedDigest;

    public AdminTokenGuard(AdminProperties properties) {
        String token = properties.adminToken();
        this.expectedDigest = token == null || token.isBlank() ? null : sha256(token.trim());
    }

    public void requireAdmin(String authorization) {
        if (expectedDigest == null) {
            throw new ApiProblem(
                    HttpStatus.FORBIDDEN,
                    "Writes disabled",
                    "Curated playlists are read-only on this server: no ADMIN_TOKEN is configured. "
                            + "Start the service with ADMIN_TOKEN set to enable writes.");
        }
        String presented = bearer(authorization);
        if (presented == null) {
            throw new ApiProblem(
                            HttpStatus.UNAUTHORIZED,
                            "Authentication required",
                            "This write needs 'Authorization: Bearer <ADMIN_TOKEN>'.")
                    .withHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"affectune\"");
        }
        // Comparing fixed-length digests keeps the time independent of where (and whether) the tokens differ.
        if (!MessageDigest.isEqual(expectedDigest, sha256(presented))) {
            throw new ApiProblem(
                            HttpStatus.UNAUTHORIZED,
                            "Invalid token",
                            "The bearer token is not the configured ADMIN_TOKEN.")
                    .withHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"affectune\", error=\"invalid_token\"");
        }
    }

    private static String bearer(String authorization) {
        if (authorization == null) {
            return null;
        }
        String value = authorization.trim();
        if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = value.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
