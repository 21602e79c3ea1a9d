package dev.segbench.harness.diagnose;

/**
 * How far one tensor of a run is from the same tensor of the reference run, and how much of that error the layer
 * that made it created: what {@code segbench diagnose} reports per tensor and what {@code --int8-fallback auto}
 * ranks layers by.
 *
 * @param relativeL2 ||candidate - reference|| / ||reference|| (0 where both are all zero)
 * @param maxAbs     the largest |candidate - reference| of one element
 * @param cosine     cosine similarity of the two tensors as vectors (1 where both are all zero)
 */
public record TensorError(double relativeL2, double maxAbs, double cosine) {

    /** Below this a relative error counts as none when it divides another (exact upstream layers). */
    static final double NEGLIGIBLE = 1e-7;

    /** The error of {@code candidate} against {@code reference}, element by element (same length). */
    public static TensorError between(float[] reference, float[] candidate) {
        return Sums.ZERO.plus(reference, candidate).error();
    }

    /**
     * This tensor's relative error over the largest relative error among the tensors its layer read: about 1 for a
     * layer that passes error on, well above 1 for one that creates it. A layer whose inputs are exact (graph inputs,
     * weights) gets its own error over {@link #NEGLIGIBLE}, so creating error from nothing ranks highest.
     */
    public double amplification(double largestInputRelativeL2) {
        return relativeL2 / Math.max(largestInputRelativeL2, NEGLIGIBLE);
    }

    /**
     * The sums behind {@link #between} (the one place its formulas are written), which can be pooled over several
     * images (one tensor of each), so the error of a tensor over a handful of images weighs every element alike.
     */
    public record Sums(double diff2, double ref2, double cand2, double dot, double maxAbs, long elements) {

        public static final Sums ZERO = new Sums(0, 0, 0, 0, 0, 0);

        /** These sums plus those of one more pair of tensors (same length). */
        public Sums plus(float[] reference, float[] candidate) {
            if (reference.length != candidate.length) {
                throw new IllegalArgumentException("tensors of " + reference.length + " and " + candidate.length + " elements");
            }
            double d2 = 0, r2 = 0, c2 = 0, rc = 0, max = maxAbs;
            for (int i = 0; i < reference.length; i++) {
                double r = reference[i], c = candidate[i], d = c - r;
                d2 += d * d;
                r2 += r * r;
                c2 += c * c;
                rc += r * c;
                max = Math.max(max, Math.abs(d));
            }
            return new Sums(diff2 + d2, ref2 + r2, cand2 + c2, dot + rc, max, elements + reference.length);
        }

        /** The error these sums make: {@link #between} of one pair, or of several pooled. */
        public TensorError error() {
            double rel = ref2 == 0 ? (diff2 == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(diff2 / ref2);
            double cos = ref2 == 0 && cand2 == 0 ? 1 : ref2 == 0 || cand2 == 0 ? 0 : dot / Math.sqrt(ref2 * cand2);
            return new TensorError(rel, maxAbs, cos);
        }
    }
}
