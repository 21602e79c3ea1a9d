package dev.segbench.harness.metrics;

import dev.segbench.results.Run;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A square class-by-class pixel count (rows = truth or reference, columns = prediction). Every
 * segmentation metric the harness reports is derived from it, so shards merge exactly by adding
 * matrices. Not thread-safe.
 */
public final class ConfusionMatrix {

    private final int classes;
    private final long[] counts;

    public ConfusionMatrix(int classes) {
        if (classes < 1 || classes > 255) {
            throw new IllegalArgumentException("classes must be in 1..255, got " + classes);
        }
        this.classes = classes;
        this.counts = new long[classes * classes];
    }

    public static ConfusionMatrix of(long[][] matrix) {
        ConfusionMatrix m = new ConfusionMatrix(matrix.length);
        for (int r = 0; r < matrix.length; r++) {
            if (matrix[r].length != matrix.length) {
                throw new IllegalArgumentException("confusion matrix is not square: row " + r + " has "
                        + matrix[r].length + " entries, expected " + matrix.length);
            }
            System.arraycopy(matrix[r], 0, m.counts, r * m.classes, m.classes);
        }
        return m;
    }

    public int classes() {
        return classes;
    }

    /**
     * Counts every pixel whose truth is a class index below {@link #classes()}; the ignore label
     * (255) and any other out-of-range truth value are left out.
     */
    public void add(byte[] truth, byte[] predicted) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException("truth has " + truth.length + " pixels, prediction " + predicted.length);
        }
        for (int i = 0; i < truth.length; i++) {
            int t = truth[i] & 0xff;
            if (t < classes) {
                int p = predicted[i] & 0xff;
                if (p >= classes) {
                    throw new IllegalArgumentException("predicted label " + p + " is not below " + classes);
                }
                counts[t * classes + p]++;
            }
        }
    }

    /**
     * Counts two predicted label maps against each other (agreement: rows = the reference run's labels) where
     * {@code mask} is not the ignore label (null = everywhere). Both maps are predictions, so, as for the prediction
     * in {@link #add(byte[], byte[])}, a label not below {@link #classes()} is refused, never dropped unseen.
     */
    public void addMasked(byte[] rows, byte[] columns, byte[] mask, int ignore) {
        if (rows.length != columns.length || (mask != null && mask.length != rows.length)) {
            throw new IllegalArgumentException("label maps differ in size");
        }
        for (int i = 0; i < rows.length; i++) {
            if (mask != null && (mask[i] & 0xff) == ignore) {
                continue;
            }
            int r = rows[i] & 0xff;
            int c = columns[i] & 0xff;
            if (r >= classes || c >= classes) {
                throw new IllegalArgumentException((r >= classes ? "reference label " + r : "predicted label " + c)
                        + " is not below " + classes);
            }
            counts[r * classes + c]++;
        }
    }

    public void add(ConfusionMatrix other) {
        if (other.classes != classes) {
            throw new IllegalArgumentException("cannot add a " + other.classes + "-class matrix to a " + classes + "-class one");
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
    }

    public long get(int row, int column) {
        return counts[row * classes + column];
    }

    public long total() {
        return Arrays.stream(counts).sum();
    }

    public long[][] toArray() {
        long[][] out = new long[classes][];
        for (int r = 0; r < classes; r++) {
            out[r] = Arrays.copyOfRange(counts, r * classes, (r + 1) * classes);
        }
        return out;
    }

    private long rowSum(int r) {
        long s = 0;
        for (int c = 0; c < classes; c++) {
            s += counts[r * classes + c];
        }
        return s;
    }

    private long columnSum(int c) {
        long s = 0;
        for (int r = 0; r < classes; r++) {
            s += counts[r * classes + c];
        }
        return s;
    }

    /** Per-class IoU; null where the class is in neither rows nor columns (empty union). */
    public List<Double> perClassIou() {
        List<Double> iou = new ArrayList<>(classes);
        for (int c = 0; c < classes; c++) {
            long tp = get(c, c);
            long union = rowSum(c) + columnSum(c) - tp;
            iou.add(union == 0 ? null : (double) tp / union);
        }
        return iou;
    }

    /** Mean IoU over classes with a non-empty union; NaN when the matrix is empty. */
    public double meanIou() {
        return perClassIou().stream().filter(v -> v != null).mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    public double pixelAccuracy() {
        long total = total();
        long diag = 0;
        for (int c = 0; c < classes; c++) {
            diag += get(c, c);
        }
        return total == 0 ? Double.NaN : (double) diag / total;
    }

    /** Mean over the classes present in the rows (truth) of the fraction of their pixels predicted right. */
    public double meanClassAccuracy() {
        double sum = 0;
        int n = 0;
        for (int c = 0; c < classes; c++) {
            long row = rowSum(c);
            if (row > 0) {
                sum += (double) get(c, c) / row;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** IoU of each class weighted by its share of the truth pixels. */
    public double frequencyWeightedIou() {
        long total = total();
        if (total == 0) {
            return Double.NaN;
        }
        List<Double> iou = perClassIou();
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            long row = rowSum(c);
            if (row > 0) {
                sum += (double) row / total * iou.get(c);
            }
        }
        return sum;
    }

    /** The accuracy block of a run, or null when no pixel with ground truth was counted. */
    public Run.Accuracy toAccuracy() {
        if (total() == 0) {
            return null;
        }
        return new Run.Accuracy(meanIou(), pixelAccuracy(), meanClassAccuracy(), frequencyWeightedIou(),
                perClassIou(), toArray());
    }

    /**
     * The agreement block against a reference run, or null when no pixel was compared; {@code withoutReference}
     * counts the samples left out for want of reference labels (null: not counted).
     */
    public Run.Agreement toAgreement(String reference, Integer withoutReference) {
        if (total() == 0) {
            return null;
        }
        return new Run.Agreement(reference, pixelAccuracy(), meanIou(), toArray(), withoutReference);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfusionMatrix m && m.classes == classes && Arrays.equals(m.counts, counts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(counts);
    }
}
