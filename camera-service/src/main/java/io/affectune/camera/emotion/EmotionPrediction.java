package io.affectune.camera.emotion;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;

/** One answer of emotion-service (extra fields such as the model are ignored). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record EmotionPrediction(String emotion, double confidence, Map<String, Double> probabilities) {}
