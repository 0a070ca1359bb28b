package io.affectune.playlist.playlist;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Genre sets as 64-bit masks, so the personal ranking can compare a candidate with every track a listener
 * liked or skipped in a few machine instructions (it does that hundreds of thousands of times per request
 * in the worst case). The catalogue has a few dozen distinct genres; should there ever be more than 64,
 * later ones share bits (similarity then over-counts slightly, it never fails).
 */
final class GenreBits {

    private static final Map<String, Integer> INDEX = new ConcurrentHashMap<>();

    private GenreBits() {}

    static long of(List<String> genres) {
        long mask = 0;
        for (String genre : genres) {
            int bit = INDEX.computeIfAbsent(genre, g -> INDEX.size() % 64);
            mask |= 1L << bit;
        }
        return mask;
    }

    /** Jaccard similarity of two masks; 0 when either is empty. */
    static double jaccard(long a, long b) {
        long union = a | b;
        return (a == 0 || b == 0) ? 0 : (double) Long.bitCount(a & b) / Long.bitCount(union);
    }
}
