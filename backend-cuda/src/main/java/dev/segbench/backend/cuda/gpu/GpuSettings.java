package dev.segbench.backend.cuda.gpu;

import dev.segbench.api.SessionOptions;

/**
 * Session settings read from {@link SessionOptions#properties()}:
 * <ul>
 *   <li>{@code cuda.device} (0): device ordinal</li>
 *   <li>{@code labels-out} (false): run the labels-out graph variant (same key as the tensorrt backend)</li>
 *   <li>{@code cuda.graphs} (true): capture each shape's inference into a CUDA graph and replay it</li>
 *   <li>{@code cuda.algo} (find): cuDNN algorithm choice, "find" (benchmark once per conv shape) or "heuristic"
 *       (cudnnGetConvolutionForwardAlgorithm_v7)</li>
 *   <li>{@code cuda.workspace-mb} (256): largest cuDNN workspace an algorithm may use</li>
 *   <li>{@code cuda.tf32} (false): allow TF32 tensor cores for FP32 convolutions (off: FP32 stays strict FP32)</li>
 *   <li>{@code cuda.fuse} (true): fuse Conv + bias + activation + residual into one cuDNN call</li>
 *   <li>{@code cuda.plan-cache} (8): how many input shapes keep their plan and device resources</li>
 *   <li>{@code cuda.clipped-relu} (false): experimental, pass ReLU6 to cudnnConvolutionBiasActivationForward as
 *       CLIPPED_RELU (coef 6) instead of RELU + a clamp kernel; the cuDNN reference documents only RELU and IDENTITY
 *       for this call, so this is off until a GPU run (GpuCheck) shows it is accepted and exact</li>
 * </ul>
 */
public record GpuSettings(String device, boolean labelsOut, boolean graphs, boolean findAlgorithms, long workspaceBytes,
                          boolean tf32, boolean fuse, int planCache, boolean clippedRelu) {

    public static GpuSettings from(SessionOptions options) {
        String algo = options.property("cuda.algo", "find");
        if (!algo.equals("find") && !algo.equals("heuristic")) {
            throw new IllegalArgumentException("cuda.algo must be 'find' or 'heuristic', got '" + algo + "'");
        }
        return new GpuSettings(options.property("cuda.device", "0"), bool(options, "labels-out", false),
                bool(options, "cuda.graphs", true), algo.equals("find"),
                positive(options, "cuda.workspace-mb", 256) * 1024L * 1024L, bool(options, "cuda.tf32", false),
                bool(options, "cuda.fuse", true), (int) positive(options, "cuda.plan-cache", 8),
                bool(options, "cuda.clipped-relu", false));
    }

    private static boolean bool(SessionOptions o, String key, boolean fallback) {
        String v = o.property(key, String.valueOf(fallback)).trim();
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(key + " must be true or false, got '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    private static long positive(SessionOptions o, String key, long fallback) {
        String v = o.property(key, String.valueOf(fallback)).trim();
        try {
            long n = Long.parseLong(v);
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a positive integer, got '" + v + "'");
        }
    }
}
