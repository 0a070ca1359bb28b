package io.affectune.emotion.model;

import io.affectune.models.FacePreprocessor;
import io.affectune.models.ModelDescriptor;

/** A model ready to serve: its manifest, its preprocessing and the batcher in front of its session. */
public record LoadedModel(ModelDescriptor descriptor, FacePreprocessor preprocessor, MicroBatcher batcher) {

    public String id() {
        return descriptor.id();
    }

    public String version() {
        return descriptor.manifest().version();
    }
}
