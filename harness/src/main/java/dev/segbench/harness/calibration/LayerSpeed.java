package dev.segbench.harness.calibration;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import dev.segbench.api.ModelSource;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The speed half of {@code --int8-fallback auto}: a convolution whose int8 form is not faster than its float form on
 * this machine gains nothing from int8, so it is kept in float before the agreement search starts.
 *
 * <p>Per layer, from per-node profiles of the FP32 graph and the fully quantized graph: float time is the Conv's node
 * plus its folded activation (ORT fuses the two and names the kernel after either); int8 time is the same nodes of the
 * int8 graph plus the QuantizeLinear of its input when no other node reads that tensor and the DequantizeLinear
 * nodes that turn its result back to float (the Quantize/Dequantize that exist only for it). Not counted: work ORT
 * fuses into a float convolution but runs separately in int8 (a residual Add after a projection, about one QLinearAdd).
 */
final class LayerSpeed {

    /**
     * A layer is kept in float when int8 time / float time is at least this: "not faster". Profiles of one image
     * repeated 10 times on a loaded 2-core machine scatter a few percent per layer, so layers near 1.0 may flip
     * between searches; {@code auto-agreement} turns the rule off.
     */
    static final double NOT_FASTER = 1.0;
    /** Profiled runs per graph (after one warm-up); the median of each node's times is used. */
    static final int RUNS = 10;

    private LayerSpeed() {
    }

    /**
     * int8 time over float time per layer, in graph order; a layer with no time in either profile is left out.
     *
     * @param fp32      the FP32 graph the float profile ran
     * @param int8      the fully quantized graph the int8 profile ran
     * @param fp32Times microseconds per node name of {@code fp32}
     * @param int8Times microseconds per node name of {@code int8}
     */
    static Map<String, Double> ratios(List<ModelSource.Layer> layers, GraphProto fp32, GraphProto int8,
                                      Map<String, Double> fp32Times, Map<String, Double> int8Times) {
        Map<String, Integer> readers = new HashMap<>();
        for (NodeProto n : fp32.getNodeList()) {
            for (String in : Set.copyOf(n.getInputList())) {
                readers.merge(in, 1, Integer::sum);
            }
        }
        Map<String, Double> ratios = new LinkedHashMap<>();
        for (ModelSource.Layer l : layers) {
            double f = sum(fp32Times, ownNodes(fp32, l));
            Set<String> q = ownNodes(int8, l);
            if (readers.getOrDefault(l.input(), 0) == 1) {
                q.addAll(quantizers(int8, l.input()));
            }
            q.addAll(dequantizersOf(int8, l.output()));
            double i = sum(int8Times, q);
            if (f > 0 && i > 0) {
                ratios.put(l.name(), i / f);
            }
        }
        return ratios;
    }

    /** The layers whose ratio is at least {@link #NOT_FASTER}, in the ratios' order. */
    static List<String> notFaster(Map<String, Double> ratios) {
        return ratios.entrySet().stream().filter(e -> e.getValue() >= NOT_FASTER).map(Map.Entry::getKey).toList();
    }

    /** The Conv node and the nodes between it and the layer's quantized output (its folded activation). */
    private static Set<String> ownNodes(GraphProto g, ModelSource.Layer l) {
        Set<String> names = new LinkedHashSet<>();
        names.add(l.name());
        for (NodeProto n : g.getNodeList()) {
            if (n.getOutputList().contains(l.output()) && !n.getOpType().equals("QuantizeLinear")
                    && !n.getOpType().equals("DequantizeLinear")) {
                names.add(n.getName());
            }
        }
        return names;
    }

    private static Set<String> quantizers(GraphProto g, String tensor) {
        Set<String> names = new LinkedHashSet<>();
        for (NodeProto n : g.getNodeList()) {
            if (n.getOpType().equals("QuantizeLinear") && n.getInput(0).equals(tensor)) {
                names.add(n.getName());
            }
        }
        return names;
    }

    /** The DequantizeLinear nodes reading the quantized form of {@code tensor}. */
    private static Set<String> dequantizersOf(GraphProto g, String tensor) {
        Set<String> quantized = new LinkedHashSet<>();
        for (NodeProto n : g.getNodeList()) {
            if (n.getOpType().equals("QuantizeLinear") && n.getInput(0).equals(tensor)) {
                quantized.add(n.getOutput(0));
            }
        }
        Set<String> names = new LinkedHashSet<>();
        for (NodeProto n : g.getNodeList()) {
            if (n.getOpType().equals("DequantizeLinear") && quantized.contains(n.getInput(0))) {
                names.add(n.getName());
            }
        }
        return names;
    }

    private static double sum(Map<String, Double> times, Set<String> nodes) {
        double t = 0;
        for (String n : nodes) {
            t += times.getOrDefault(n, 0.0);
        }
        return t;
    }
}
