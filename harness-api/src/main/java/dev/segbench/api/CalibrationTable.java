package dev.segbench.api;

import dev.segbench.api.io.Sha256;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The calibrated range of every activation an int8 graph quantizes, like TensorRT's calibration cache: per tensor
 * the clipped [min, max] a calibration method chose, from which each {@link Int8Activations flavour}'s scale and
 * zero point follow by the rules in {@link Range} (the one place they are defined, so that the graph builder, the
 * backends and the cache file agree).
 *
 * @param key    what the ranges were computed for; a table is valid only for that model, weights and graph
 * @param ranges tensor name (as in the model's calibration graph) to its range, sorted by name
 */
public record CalibrationTable(Key key, SortedMap<String, Range> ranges) {

    public CalibrationTable {
        Objects.requireNonNull(key, "key");
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("a calibration table needs at least one tensor");
        }
        ranges = Collections.unmodifiableSortedMap(new TreeMap<>(ranges));
    }

    public static CalibrationTable of(Key key, Map<String, Range> ranges) {
        return new CalibrationTable(key, new TreeMap<>(ranges));
    }

    /** The range of {@code tensor}, or null when the table has none. */
    public Range range(String tensor) {
        return ranges.get(tensor);
    }

    /**
     * Lower-case hex SHA-256 of the key and every range (bit-exact), e.g. for a TensorRT engine cache key: two tables
     * with the same digest quantize a graph identically.
     */
    public String sha256() {
        StringBuilder b = new StringBuilder(key.canonicalText());
        ranges.forEach((name, r) -> b.append("range ").append(name).append(' ')
                .append(Integer.toHexString(Float.floatToIntBits(r.min()))).append(' ')
                .append(Integer.toHexString(Float.floatToIntBits(r.max()))).append('\n'));
        return Sha256.hex(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * What a table is keyed by: a cached table is reused only when every field is equal.
     *
     * @param modelId       catalogue model id ("arch0")
     * @param weightsSha256 the model's {@link WeightsInfo#sha256()}
     * @param dataset       the calibration dataset's {@link Dataset#name()} ("voc2012/train", "synthetic(seed=2, ...)")
     * @param imageIds      the calibration images, in the order they were used
     * @param method        how ranges were chosen
     * @param graphVersion  the model's {@link ModelSource.Int8Graphs#graphVersion()}: which tensors exist and are
     *                      quantized; it changes whenever the calibration graph does
     */
    public record Key(String modelId, String weightsSha256, String dataset, List<String> imageIds,
                      CalibrationMethod method, String graphVersion) {

        public Key {
            Objects.requireNonNull(modelId, "modelId");
            Objects.requireNonNull(weightsSha256, "weightsSha256");
            Objects.requireNonNull(dataset, "dataset");
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(graphVersion, "graphVersion");
            imageIds = List.copyOf(imageIds);
            if (imageIds.isEmpty()) {
                throw new IllegalArgumentException("a calibration key needs at least one image id");
            }
        }

        /** One field per line; what {@link #sha256()} hashes. */
        public String canonicalText() {
            return "segbench-calibration-key/1\nmodel=" + modelId + "\nweights=" + weightsSha256 + "\ndataset=" + dataset
                    + "\nmethod=" + method.id() + "\ngraph=" + graphVersion + "\nimages=" + String.join(",", imageIds)
                    + "\n";
        }

        public String sha256() {
            return Sha256.hex(canonicalText().getBytes(StandardCharsets.UTF_8));
        }

        /** The first field that differs from {@code other}, in words, or null when the keys are equal. */
        public String difference(Key other) {
            if (!modelId.equals(other.modelId)) {
                return "model " + other.modelId + ", not " + modelId;
            }
            if (!weightsSha256.equals(other.weightsSha256)) {
                return "weights " + other.weightsSha256 + ", not " + weightsSha256;
            }
            if (!graphVersion.equals(other.graphVersion)) {
                return "graph version " + other.graphVersion + ", not " + graphVersion;
            }
            if (method != other.method) {
                return "method " + other.method.id() + ", not " + method.id();
            }
            if (!dataset.equals(other.dataset)) {
                return "dataset " + other.dataset + ", not " + dataset;
            }
            if (!imageIds.equals(other.imageIds)) {
                return other.imageIds.size() + " other calibration images (" + String.join(",",
                        other.imageIds.subList(0, Math.min(3, other.imageIds.size()))) + (other.imageIds.size() > 3 ? ",..." : "")
                        + "), not these " + imageIds.size();
            }
            return null;
        }
    }

    /**
     * A calibrated, clipped activation range. The scales are derived here and nowhere else:
     * <ul>
     *   <li>symmetric int8: {@code scale = max(|min|, |max|) / 127}, zero point 0;</li>
     *   <li>asymmetric uint8: the range widened to hold 0, {@code scale = (max - min) / 255},
     *       {@code zero point = round(-min / scale)} (so a ReLU output, min 0, gets zero point 0).</li>
     * </ul>
     * A range of width 0 (a tensor that was all zeros during calibration) gets scale 1: any scale represents 0
     * exactly, and a scale of 0 would make quantization divide by zero.
     */
    public record Range(float min, float max) {

        public static final int INT8_MAX = 127;
        public static final int UINT8_MAX = 255;

        public Range {
            if (!Float.isFinite(min) || !Float.isFinite(max) || min > max) {
                throw new IllegalArgumentException("a range needs finite min <= max, got [" + min + ", " + max + "]");
            }
            min += 0f; // -0 becomes +0: one zero, so equal ranges have equal bits (and digests)
            max += 0f;
        }

        /** The largest magnitude in the range. */
        public float amax() {
            return Math.max(Math.abs(min), Math.abs(max));
        }

        public float int8Scale() {
            float scale = amax() / INT8_MAX;
            return scale > 0 && Float.isFinite(scale) ? scale : 1f;
        }

        public float uint8Scale() {
            double low = Math.min(min, 0);
            double high = Math.max(max, 0);
            float scale = (float) ((high - low) / UINT8_MAX);
            return scale > 0 && Float.isFinite(scale) ? scale : 1f;
        }

        public int uint8ZeroPoint() {
            double low = Math.min(min, 0);
            long zp = Math.round(-low / uint8Scale());
            return (int) Math.max(0, Math.min(UINT8_MAX, zp));
        }

        /** Scale of {@code flavour}. */
        public float scale(Int8Activations flavour) {
            return flavour == Int8Activations.SYMMETRIC_INT8 ? int8Scale() : uint8Scale();
        }

        /** Zero point of {@code flavour}. */
        public int zeroPoint(Int8Activations flavour) {
            return flavour == Int8Activations.SYMMETRIC_INT8 ? 0 : uint8ZeroPoint();
        }
    }
}
