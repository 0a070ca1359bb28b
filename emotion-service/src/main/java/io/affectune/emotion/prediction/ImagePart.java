package io.affectune.emotion.prediction;

import org.springframework.http.MediaType;

/** One part of a multipart batch request, read into memory (1-based index for error messages). */
public record ImagePart(int index, String name, String filename, MediaType contentType, byte[] bytes) {}
