package dev.segbench.backend.cpu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-node times out of an ONNX Runtime profile (the Chrome-trace JSON {@code endProfiling} writes): each kernel's
 * {@code "cat":"Node"} event named {@code <kernel>_kernel_time} carries its duration in microseconds, once per run.
 * Kernels are mapped back to the graph's node names: ORT derives a fused kernel's name from one node of the group
 * (ORT 1.29 on arch2: an FP32 Conv+Clip becomes {@code <clip node>_nchwc}, a QDQ group around a Conv becomes the
 * QLinearConv {@code <conv node>_token_<n>}); its own layout kernels (ReorderInput/Output, Transpose) match no node.
 */
final class NodeProfile {

    private static final String KERNEL_SUFFIX = "_kernel_time";

    private NodeProfile() {
    }

    /**
     * Median microseconds per graph node over the runs after the first {@code warmup} of each kernel; a kernel that
     * maps to no graph node (ORT's own layout reorders) is kept under its kernel name, and several kernels of one
     * node are summed.
     */
    static Map<String, Double> medians(String json, Collection<String> graphNodes, int warmup) throws IOException {
        JsonNode root = new ObjectMapper().readTree(json);
        JsonNode events = root.isArray() ? root : root.path("traceEvents");
        Map<String, List<Double>> perKernel = new LinkedHashMap<>();
        for (JsonNode e : events) {
            String name = e.path("name").asText("");
            if ("Node".equals(e.path("cat").asText()) && name.endsWith(KERNEL_SUFFIX)) {
                perKernel.computeIfAbsent(name.substring(0, name.length() - KERNEL_SUFFIX.length()),
                        k -> new ArrayList<>()).add(e.path("dur").asDouble());
            }
        }
        Map<String, Double> perNode = new LinkedHashMap<>();
        for (Map.Entry<String, List<Double>> k : perKernel.entrySet()) {
            List<Double> d = k.getValue();
            if (d.size() <= warmup) {
                continue;
            }
            perNode.merge(graphNode(k.getKey(), graphNodes), median(d.subList(warmup, d.size())), Double::sum);
        }
        return perNode;
    }

    /** The graph node {@code kernel} came from: itself, else the longest node name it starts with up to a '_' or '/'. */
    static String graphNode(String kernel, Collection<String> graphNodes) {
        if (graphNodes.contains(kernel)) {
            return kernel;
        }
        String best = null;
        for (String n : graphNodes) {
            if (kernel.length() > n.length() && kernel.startsWith(n) && !Character.isLetterOrDigit(kernel.charAt(n.length()))
                    && (best == null || n.length() > best.length())) {
                best = n;
            }
        }
        return best == null ? kernel : best;
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }
}
