package dev.segbench.models;

import dev.segbench.api.ModelException;
import dev.segbench.models.checkpoint.CheckpointTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The float tensors a network needs, exactly those of its {@link Layout}, each with the expected
 * shape. Built from a checkpoint ({@link #bind}) or from a seed ({@link #seeded}).
 */
final class StateDict {

    /** Training-only auxiliary cells and classifiers: present in checkpoints, absent at inference. */
    static final String AUX_PREFIX = "decoder.aux_clfs.";
    static final String BATCHES_TRACKED_SUFFIX = ".num_batches_tracked";
    private static final int LISTED_PER_KIND = 5;

    private final Map<String, float[]> tensors;

    private StateDict(Map<String, float[]> tensors) {
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    float[] get(String key) {
        float[] t = tensors.get(key);
        if (t == null) {
            throw new IllegalStateException("no tensor " + key + " (layout and network disagree)");
        }
        return t;
    }

    Map<String, float[]> tensors() {
        return tensors;
    }

    /**
     * Binds a checkpoint's state_dict to the layout. Ignores {@code decoder.aux_clfs.*} and
     * {@code num_batches_tracked}; everything else must match by name and shape. All mismatches are
     * reported together in one line naming {@code source}.
     */
    static StateDict bind(Layout layout, Map<String, CheckpointTensor> checkpoint, String source, String architecture)
            throws ModelException {
        Map<String, long[]> expected = layout.tensors();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> misShaped = new ArrayList<>();
        List<String> nonFinite = new ArrayList<>();
        Map<String, float[]> bound = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            CheckpointTensor t = checkpoint.get(e.getKey());
            if (t == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(t.shape(), e.getValue()) || !t.isFloating()) {
                misShaped.add(e.getKey() + " " + describe(t) + " (expected " + Arrays.toString(e.getValue()) + ")");
            } else if (!allFinite(t.floats())) {
                nonFinite.add(e.getKey()); // a diverged run: every output would be NaN, silently
            } else {
                bound.put(e.getKey(), t.floats());
            }
        }
        for (String key : checkpoint.keySet()) {
            if (!expected.containsKey(key) && !key.startsWith(AUX_PREFIX) && !key.endsWith(BATCHES_TRACKED_SUFFIX)) {
                unexpected.add(key);
            }
        }
        if (missing.isEmpty() && unexpected.isEmpty() && misShaped.isEmpty() && nonFinite.isEmpty()) {
            return new StateDict(bound);
        }
        StringBuilder msg = new StringBuilder(source).append(": checkpoint does not fit ").append(architecture)
                .append(':');
        appendKind(msg, "missing", missing);
        appendKind(msg, "unexpected", unexpected);
        appendKind(msg, "wrong shape or dtype", misShaped);
        appendKind(msg, "with NaN or infinite values", nonFinite);
        throw new ModelException(msg.toString());
    }

    private static boolean allFinite(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private static String describe(CheckpointTensor t) {
        return t.dtype() + Arrays.toString(t.shape());
    }

    private static void appendKind(StringBuilder msg, String kind, List<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        msg.append(msg.charAt(msg.length() - 1) == ':' ? " " : "; ").append(keys.size()).append(' ').append(kind)
                .append(" (").append(String.join(", ", keys.subList(0, Math.min(LISTED_PER_KIND, keys.size()))));
        msg.append(keys.size() > LISTED_PER_KIND ? ", ... " + (keys.size() - LISTED_PER_KIND) + " more)" : ")");
    }

    /**
     * Untrained weights, a pure function of the seed: He-normal conv weights, BN gamma near 1, beta
     * near 0, running mean near 0 and running variance near 1, classifier bias 0.
     */
    static StateDict seeded(Layout layout, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, float[]> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : layout.tensors().entrySet()) {
            String key = e.getKey();
            long[] shape = e.getValue();
            float[] v = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, (a, b) -> a * b))];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) sample(random, key, shape);
            }
            tensors.put(key, v);
        }
        return new StateDict(tensors);
    }

    private static double sample(SplittableRandom random, String key, long[] shape) {
        if (shape.length == 4) {
            return random.nextGaussian() * Math.sqrt(2.0 / (shape[1] * shape[2] * shape[3])); // He-normal, fan-in
        } else if (key.endsWith(".running_var")) {
            return random.nextDouble(0.8, 1.25);
        } else if (key.endsWith(".running_mean")) {
            return random.nextDouble(-0.05, 0.05);
        } else if (key.endsWith(".bias")) {
            return key.startsWith("decoder.conv_clf") ? 0.0 : random.nextDouble(-0.05, 0.05); // BN beta
        }
        return random.nextDouble(0.9, 1.1); // BN gamma
    }
}
