package io.affectune.models;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Accuracy, macro recall, per-class precision/recall and the confusion matrix (rows = truth). */
public final class ClassificationMetrics {

    private final List<String> labels;
    private final int[][] confusion;
    private int total;

    public ClassificationMetrics(List<String> labels) {
        this.labels = List.copyOf(labels);
        this.confusion = new int[labels.size()][labels.size()];
    }

    public void add(int truth, int predicted) {
        confusion[truth][predicted]++;
        total++;
    }

    public int total() {
        return total;
    }

    public double accuracy() {
        int correct = 0;
        for (int i = 0; i < confusion.length; i++) {
            correct += confusion[i][i];
        }
        return total == 0 ? 0 : (double) correct / total;
    }

    public int support(int label) {
        int sum = 0;
        for (int v : confusion[label]) {
            sum += v;
        }
        return sum;
    }

    public double recall(int label) {
        int support = support(label);
        return support == 0 ? 0 : (double) confusion[label][label] / support;
    }

    public double precision(int label) {
        int predicted = 0;
        for (int[] row : confusion) {
            predicted += row[label];
        }
        return predicted == 0 ? 0 : (double) confusion[label][label] / predicted;
    }

    public double macroRecall() {
        double sum = 0;
        for (int i = 0; i < labels.size(); i++) {
            sum += recall(i);
        }
        return sum / labels.size();
    }

    public int[][] confusionMatrix() {
        int[][] copy = new int[confusion.length][];
        for (int i = 0; i < confusion.length; i++) {
            copy[i] = confusion[i].clone();
        }
        return copy;
    }

    /** The manifest's "metrics" object. */
    public ModelManifest.Metrics toManifestMetrics(String splitName) {
        Map<String, ModelManifest.ClassMetrics> perClass = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            perClass.put(
                    labels.get(i), new ModelManifest.ClassMetrics(round(precision(i)), round(recall(i)), support(i)));
        }
        return new ModelManifest.Metrics(
                splitName, total, round(accuracy()), round(macroRecall()), perClass, confusionMatrix());
    }

    /** Human-readable report: headline figures, per-class table, confusion matrix. */
    public String report() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("images        %d%n", total));
        out.append(String.format("accuracy      %.4f%n", accuracy()));
        out.append(String.format("macro recall  %.4f%n%n", macroRecall()));
        out.append(String.format("%-10s %9s %9s %8s%n", "class", "precision", "recall", "support"));
        for (int i = 0; i < labels.size(); i++) {
            out.append(String.format("%-10s %9.4f %9.4f %8d%n", labels.get(i), precision(i), recall(i), support(i)));
        }
        out.append(String.format("%nconfusion matrix (rows = true class, columns = predicted)%n%-10s", ""));
        for (String label : labels) {
            out.append(String.format(" %8.8s", label));
        }
        out.append(System.lineSeparator());
        for (int i = 0; i < labels.size(); i++) {
            out.append(String.format("%-10s", labels.get(i)));
            for (int v : confusion[i]) {
                out.append(String.format(" %8d", v));
            }
            out.append(System.lineSeparator());
        }
        return out.toString();
    }

    private static double round(double value) {
        return Math.round(value * 1e6) / 1e6;
    }
}
