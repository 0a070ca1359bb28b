package io.affectune.camera.vision;

import java.util.List;

/**
 * One face in frame coordinates. Landmarks (YuNet only, else empty) are, as seen from the subject:
 * right eye, left eye, nose tip, right mouth corner, left mouth corner.
 */
public record DetectedFace(double x, double y, double width, double height, List<Point> landmarks, double score) {

    public record Point(double x, double y) {}

    public double area() {
        return width * height;
    }

    public double centerX() {
        return x + width / 2;
    }

    public double centerY() {
        return y + height / 2;
    }

    /** The same face with every coordinate multiplied by {@code sx} across and {@code sy} down. */
    public DetectedFace scaled(double sx, double sy) {
        if (sx == 1 && sy == 1) {
            return this;
        }
        List<Point> moved =
                landmarks.stream().map(p -> new Point(p.x() * sx, p.y() * sy)).toList();
        return new DetectedFace(x * sx, y * sy, width * sx, height * sy, moved, score);
    }

    public boolean hasEyes() {
        return landmarks.size() >= 2;
    }
}
