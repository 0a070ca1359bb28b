package io.affectune.emotion.prediction;

import java.util.Map;

/** One face's answer: the top emotion, its probability, all seven probabilities, and which model said so. */
public record Prediction(String emotion, float confidence, Map<String, Float> probabilities, ModelRef model) {

    public record ModelRef(String id, String version) {}
}
