package io.affectune.camera.session;

import io.affectune.camera.config.CameraProperties;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * New session and source ids. A session (and a server-side source) lives in one instance's memory, so with
 * several camera-service instances every request on it must reach that instance: the id says which. With
 * {@code CAMERA_INSTANCE_ID} set (e.g. the StatefulSet pod name {@code camera-service-2}) an id is
 * {@code <instance>_<22 characters>}, which the gateway routes to that instance (its {@code CAMERA_INSTANCE_URL});
 * without it ids are random UUIDs, as with one instance. Both stay URL-safe (letters, digits, '-', '_'; at most
 * 63 characters, within {@link SessionRegistry#VALID_ID}) and unguessable (122 or 128 random bits, SecureRandom).
 */
@Component
public class InstanceIds {

    /** A DNS label of 1-40 characters: the gateway builds a host name from it, and ids stay within 64 characters. */
    public static final Pattern VALID_INSTANCE = Pattern.compile("[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?");

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder URL_SAFE = Base64.getUrlEncoder().withoutPadding();

    private final String instance;

    @Autowired
    public InstanceIds(CameraProperties properties) {
        this(properties.session() == null ? null : properties.session().instanceId());
    }

    InstanceIds(String instance) {
        this.instance = instance == null ? "" : instance.strip();
        if (!this.instance.isEmpty() && !VALID_INSTANCE.matcher(this.instance).matches()) {
            throw new IllegalStateException("CAMERA_INSTANCE_ID '" + instance + "' must be a DNS label of 1-40 "
                    + "characters (lower-case letters, digits and '-', e.g. camera-service-2) or empty");
        }
    }

    /** This instance's name in ids; empty when ids name no instance. */
    public String instance() {
        return instance;
    }

    public String newId() {
        if (instance.isEmpty()) {
            return UUID.randomUUID().toString();
        }
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        return instance + "_" + URL_SAFE.encodeToString(random);
    }
}
