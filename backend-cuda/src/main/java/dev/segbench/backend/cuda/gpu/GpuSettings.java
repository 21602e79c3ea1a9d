package dev.segbench.backend.cuda.gpu;

import dev.segbench.api.BackendProperties;
import dev.segbench.api.SessionOptions;
import java.util.List;

/**
 * Session settings read from {@link SessionOptions#properties()} with {@link BackendProperties} (an unknown
 * {@code cuda.*} key is rejected; the labels-out variant is {@code SessionOptions.labelsOut()}):
 * <ul>
 *   <li>{@code cuda.device} (0): device ordinal</li>
 *   <li>{@code cuda.graphs} (true): capture each shape's inference into a CUDA graph and replay it</li>
 *   <li>{@code cuda.algo} (find): cuDNN algorithm choice, "find" (benchmark once per conv shape) or "heuristic"
 *       (cudnnGetConvolutionForwardAlgorithm_v7)</li>
 *   <li>{@code cuda.workspace-mb} (256): largest cuDNN workspace an algorithm may use</li>
 *   <li>{@code cuda.tf32} (false): allow TF32 tensor cores for FP32 convolutions (off: FP32 stays strict FP32)</li>
 *   <li>{@code cuda.fuse} (true): fuse Conv + bias + activation + residual into one cuDNN call</li>
 *   <li>{@code cuda.plan-cache} (8): how many input shapes keep their plan and device resources</li>
 *   <li>{@code cuda.clipped-relu} (false): experimental, pass ReLU6 to cudnnConvolutionBiasActivationForward as
 *       CLIPPED_RELU (coef 6) instead of RELU + a clamp kernel; the cuDNN reference documents only RELU and IDENTITY
 *       for this call, so this is off until a GPU run shows it is accepted and exact</li>
 * </ul>
 */
public record GpuSettings(String device, boolean graphs, boolean findAlgorithms, long workspaceBytes, boolean tf32,
                          boolean fuse, int planCache, boolean clippedRelu) {

    public static final List<String> KEYS = List.of("cuda.device", "cuda.graphs", "cuda.algo", "cuda.workspace-mb",
            "cuda.tf32", "cuda.fuse", "cuda.plan-cache", "cuda.clipped-relu");

    public static GpuSettings from(SessionOptions options) {
        BackendProperties p = BackendProperties.read(options, "cuda.", KEYS);
        return new GpuSettings(p.string("cuda.device", "0"), p.bool("cuda.graphs", true),
                p.choice("cuda.algo", "find", "find", "heuristic").equals("find"),
                p.integer("cuda.workspace-mb", 256, 1, 1 << 20) << 20, p.bool("cuda.tf32", false), p.bool("cuda.fuse", true),
                (int) p.integer("cuda.plan-cache", 8, 1, 1024), p.bool("cuda.clipped-relu", false));
    }
}
