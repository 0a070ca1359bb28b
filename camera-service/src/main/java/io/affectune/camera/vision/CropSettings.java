package io.affectune.camera.vision;

/**
 * How a detector box becomes a classifier input: the model manifest's "crop" block and face size, read by
 * {@link io.affectune.camera.emotion.ModelFraming} through the runtime model library (never set in code).
 * The crop is a square of side {@code boxScale * (w + h) / 2}, centred on the box centre moved by
 * {@code centerShiftX/Y} box sides (along the face's own axes when eye-aligned).
 */
public record CropSettings(
        double boxScale, double centerShiftX, double centerShiftY, boolean alignEyes, int outputSize) {

    public CropSettings withOutputSize(int size) {
        return new CropSettings(boxScale, centerShiftX, centerShiftY, alignEyes, size);
    }
}
