package io.affectune.camera.session;

/**
 * Where a face is in a frame (pixels): what the session tracks faces by. Its own type, so that the session knows
 * nothing of the detector that found the face.
 */
public record FaceBox(double x, double y, double width, double height) {

    public double area() {
        return width * height;
    }

    /** Intersection over union with another box: 1 for the same box, 0 when they do not overlap. */
    public double iou(FaceBox other) {
        double x1 = Math.max(x, other.x);
        double y1 = Math.max(y, other.y);
        double x2 = Math.min(x + width, other.x + other.width);
        double y2 = Math.min(y + height, other.y + other.height);
        double inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
        double union = area() + other.area() - inter;
        return union <= 0 ? 0 : inter / union;
    }
}
