package io.affectune.support.problem;

import java.net.URI;
import java.util.Locale;

/**
 * The one problem {@code type} scheme of every Affectune API: {@code urn:affectune:problem:<slug>}, the
 * slug in kebab case ({@code image-too-large}, {@code session-limit}, {@code service-unavailable}). A URN,
 * not a URL: nothing is served at it; clients switch on it. Errors that Spring itself raises (404 for an
 * unknown path, 405, 406) get the slug of their status's reason phrase ({@code not-found}).
 */
public final class ProblemTypes {

    public static final String PREFIX = "urn:affectune:problem:";

    private ProblemTypes() {}

    public static URI of(String slug) {
        return URI.create(PREFIX + slug);
    }

    public static String slugOf(String title) {
        String slug = title == null
                ? ""
                : title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return slug.isEmpty() ? "problem" : slug;
    }
}
