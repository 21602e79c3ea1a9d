package dev.segbench.testfixtures;

/** Comparisons of computed tensors with reference ones. */
public final class FloatArrays {

    private FloatArrays() {
    }

    /** Largest absolute difference over the largest reference magnitude; NaN anywhere counts as infinite. */
    public static double relativeError(float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            throw new IllegalArgumentException("length " + actual.length + " != " + expected.length);
        }
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            maxDiff = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(maxDiff, d);
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        return maxDiff / Math.max(maxRef, 1e-12);
    }
}
