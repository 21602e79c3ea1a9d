/**
 * The native CUDA backend ({@code --backends cuda}).
 *
 * <p>Pipeline, per input shape (cached by {@link dev.segbench.backend.cuda.plan.PlanCache}):
 * <ol>
 *   <li>{@link dev.segbench.onnx.graph.OnnxImporter}: ONNX protobuf to an internal graph (opset 13..17);</li>
 *   <li>{@link dev.segbench.onnx.graph.ShapeInference}: concrete shapes for the input shape; the int64 shape
 *       sub-graph (Shape/Slice/Gather/Concat/Unsqueeze/Cast/arithmetic) is folded on the host;</li>
 *   <li>{@link dev.segbench.backend.cuda.plan.ExecutionPlanner}: Conv [+ residual Add] [+ Relu/Clip] fused into one step, then
 *       arena offsets from tensor lifetimes ({@link dev.segbench.backend.cuda.plan.BufferAllocator});</li>
 *   <li>execution: {@code gpu.GpuPlan}: per convolution a {@code gpu.ConvCall} (the fused
 *       cudnnConvolutionBiasActivationForward, or the unfused sequence when cuDNN refuses it), NVRTC kernels for the
 *       rest, the whole inference captured in a CUDA graph. The tests run steps 1 to 3 on a CPU reference executor
 *       (test code) against ONNX Runtime, and step 4 on an emulated device with a cuDNN stand-in.</li>
 * </ol>
 * Anything the executors do not implement is a {@code BackendException(UNSUPPORTED_OP)} naming the node.
 */
package dev.segbench.backend.cuda;
