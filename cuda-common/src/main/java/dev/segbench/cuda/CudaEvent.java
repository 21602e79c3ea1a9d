package dev.segbench.cuda;

import org.bytedeco.cuda.cudart.CUevent_st;

import static org.bytedeco.cuda.global.cudart.*;

/** A timing CUDA event: record it on a stream, then read the elapsed time between two recorded events. */
public final class CudaEvent extends NativeResource {

    private final CUevent_st handle;

    private CudaEvent(CUevent_st handle) {
        super("CudaEvent");
        this.handle = handle;
    }

    /** cudaEventCreate with timing enabled. */
    public static CudaEvent create() {
        CUevent_st handle = new CUevent_st();
        CudaRuntime.check(cudaEventCreateWithFlags(handle, cudaEventDefault), "cudaEventCreateWithFlags");
        return new CudaEvent(handle);
    }

    public CUevent_st handle() {
        ensureOpen();
        return handle;
    }

    /** cudaEventRecord on {@code stream}: the event completes when the work queued before it has. */
    public void record(CudaStream stream) {
        CudaRuntime.check(cudaEventRecord(handle(), stream.handle()), "cudaEventRecord");
    }

    /** Blocks until the event has completed. */
    public void synchronize() {
        CudaRuntime.check(cudaEventSynchronize(handle()), "cudaEventSynchronize");
    }

    /**
     * Milliseconds from {@code start} to this event (both recorded and completed; about 0.5 µs resolution).
     */
    public float millisSince(CudaEvent start) {
        float[] ms = {0f};
        CudaRuntime.check(cudaEventElapsedTime(ms, start.handle(), handle()), "cudaEventElapsedTime");
        return ms[0];
    }

    @Override
    int release() {
        return cudaEventDestroy(handle);
    }

    @Override
    String releaseCall() {
        return "cudaEventDestroy";
    }
}
