package io.affectune.emotion.model;

import io.affectune.models.FacePreprocessor;
import io.affectune.models.ModelDescriptor;
import io.affectune.models.OnnxClassifier;

/**
 * A model ready to serve: its manifest, its preprocessing, its ONNX Runtime session and the two batchers in front of
 * it, one per {@link MicroBatcher.Lane}.
 */
public record LoadedModel(
        ModelDescriptor descriptor,
        FacePreprocessor preprocessor,
        OnnxClassifier classifier,
        MicroBatcher interactive,
        MicroBatcher background)
        implements AutoCloseable {

    public String id() {
        return descriptor.id();
    }

    public String version() {
        return descriptor.manifest().version();
    }

    /** The batcher of a lane. */
    public MicroBatcher batcher(MicroBatcher.Lane lane) {
        return lane == MicroBatcher.Lane.BACKGROUND ? background : interactive;
    }

    /** Stops both batchers, then closes the session they share. */
    @Override
    public void close() {
        try {
            interactive.close();
            background.close();
        } finally {
            classifier.close();
        }
    }
}
