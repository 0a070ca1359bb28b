package io.affectune.camera.vision;

/** Loads the OpenCV native library from the openpnp jar exactly once per JVM. */
public final class OpenCv {

    private OpenCv() {
    }

    private static final class Holder {
        static final boolean LOADED = load();

        private static boolean load() {
            nu.pattern.OpenCV.loadLocally();
            return true;
        }
    }

    public static void ensureLoaded() {
        if (!Holder.LOADED) {
            throw new IllegalStateException("OpenCV failed to load");
        }
    }
}
