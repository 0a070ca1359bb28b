package io.affectune.camera.session;

/**
 * Where a face is in a frame (pixels): what the session tracks faces by. Its own type, so that the session knows
 * nothing of the detector that found the face.
 */
public record FaceBox(double x, double y, double width, double height) {

    public double area() {
        return width * height;
    }
}
