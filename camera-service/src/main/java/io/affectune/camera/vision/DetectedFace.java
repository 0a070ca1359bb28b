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

    public boolean hasEyes() {
        return landmarks.size() >= 2;
    }
}
