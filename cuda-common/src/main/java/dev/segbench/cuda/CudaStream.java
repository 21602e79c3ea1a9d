package dev.segbench.cuda;

import org.bytedeco.cuda.cudart.CUgraph_st;
import org.bytedeco.cuda.cudart.CUstream_st;

import static org.bytedeco.cuda.global.cudart.*;

/**
 * A non-blocking CUDA stream (it does not synchronise with the legacy default stream), created on the current
 * device. Several streams let several batches be in flight at once.
 */
public final class CudaStream extends NativeResource {

    private final CUstream_st handle;

    private CudaStream(CUstream_st handle) {
        super("CudaStream");
        this.handle = handle;
    }

    /** cudaStreamCreateWithFlags(cudaStreamNonBlocking). */
    public static CudaStream create() {
        CUstream_st handle = new CUstream_st();
        CudaRuntime.check(cudaStreamCreateWithFlags(handle, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
        return new CudaStream(handle);
    }

    /** The raw handle for library calls (enqueueV3, cudnnSetStream); valid until close. */
    public CUstream_st handle() {
        ensureOpen();
        return handle;
    }

    /** Blocks until all work queued so far has finished. */
    public void synchronize() {
        CudaRuntime.check(cudaStreamSynchronize(handle()), "cudaStreamSynchronize");
    }

    /**
     * Records the work {@code work} enqueues on this stream into a graph instead of running it (thread-local
     * capture mode, so other threads may keep using CUDA), then instantiates it. The work must use only this
     * stream and must not synchronise. If {@code work} throws or the capture was invalidated, capture is ended, the
     * partial graph dropped and the thread's last CUDA error cleared, so the caller can fall back to eager launches.
     */
    public CudaGraph capture(Runnable work) {
        CudaRuntime.check(cudaStreamBeginCapture(handle(), cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture");
        CUgraph_st graph = new CUgraph_st();
        try {
            work.run();
        } catch (RuntimeException | Error e) {
            if (cudaStreamEndCapture(handle, graph) == cudaSuccess && !graph.isNull()) {
                cudaGraphDestroy(graph);
            }
            // An illegal call under capture leaves its error as the thread's last error; libraries such as cuDNN
            // check cudaGetLastError after their launches and would report it as their own failure later.
            cudaGetLastError();
            throw e;
        }
        int status = cudaStreamEndCapture(handle, graph);
        if (status != cudaSuccess) {
            cudaGetLastError(); // same reason: an invalidated capture must not poison later calls
            throw NativeCuda.exception(status, "cudaStreamEndCapture");
        }
        return CudaGraph.instantiate(graph);
    }

    @Override
    int release() {
        return cudaStreamDestroy(handle);
    }

    @Override
    String releaseCall() {
        return "cudaStreamDestroy";
    }
}
