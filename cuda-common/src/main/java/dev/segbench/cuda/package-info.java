/**
 * The CUDA runtime layer shared by the GPU backends ({@code backend-tensorrt}, {@code backend-cuda}).
 *
 * <p>Start with {@link dev.segbench.cuda.CudaRuntime#probe()}: it never throws and never crashes a machine
 * without a GPU. It first looks for the driver ({@code libcuda.so.1}) and the runtime ({@code libcudart.so.13})
 * on disk with {@link dev.segbench.cuda.NativeLibraryLocator} and only then lets JavaCPP load native code.
 * Everything else in this package may be used only after {@code probe().available()} is true (or after
 * {@link dev.segbench.cuda.CudaRuntime#require()} returned), because touching it loads the CUDA bindings.
 *
 * <p>Resources: {@link dev.segbench.cuda.DeviceBuffer} (cudaMalloc), {@link dev.segbench.cuda.PinnedBuffer}
 * (cudaMallocHost, exposed as an FFM {@link java.lang.foreign.MemorySegment}), {@link dev.segbench.cuda.CudaStream},
 * {@link dev.segbench.cuda.CudaEvent} and {@link dev.segbench.cuda.CudaGraph}. All are AutoCloseable, a second
 * close does nothing, and use after close throws IllegalStateException. Failing calls throw
 * {@link dev.segbench.cuda.CudaException}, which names the call and the CUDA error.
 *
 * <p>Threads: the CUDA "current device" is per host thread; call
 * {@link dev.segbench.cuda.CudaRuntime#useDevice(int)} on every thread that issues work (it is cheap).
 */
package dev.segbench.cuda;
