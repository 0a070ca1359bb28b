package io.affectune.support.image;

import io.affectune.support.problem.ApiProblem;
import java.util.Locale;
import java.util.Set;
import org.springframework.http.MediaType;

/**
 * What a client may declare as an image's Content-Type. The bytes decide the format ({@link ImageFormat});
 * this only refuses, with 415, a body that says it is something else (JSON, a form, text).
 */
public final class DeclaredImageType {

    private static final Set<String> IMAGE_TYPES = Set.of("image/jpeg", "image/png", "image/jpg", "image/pjpeg");

    private DeclaredImageType() {}

    /**
     * @param lenient also accept no Content-Type and application/octet-stream (camera frames from scripts)
     */
    public static void require(MediaType type, boolean lenient) {
        if (type == null) {
            if (lenient) {
                return;
            }
            throw ApiProblem.unsupportedMediaType("No Content-Type given: send the image as image/jpeg or image/png");
        }
        String typeAndSubtype = (type.getType() + "/" + type.getSubtype()).toLowerCase(Locale.ROOT);
        if (IMAGE_TYPES.contains(typeAndSubtype) || (lenient && MediaType.APPLICATION_OCTET_STREAM.includes(type))) {
            return;
        }
        throw ApiProblem.unsupportedMediaType("Content-Type " + typeAndSubtype
                + " is not supported: send the image itself as the body with Content-Type image/jpeg or image/png");
    }
}
