package dev.segbench.cuda;

/**
 * Turns a failed CUDA runtime status into a {@link CudaException}, and first clears the calling thread's last error.
 *
 * <p>Why clear: the runtime also records a failed call's status as the thread's "last error". Libraries that check
 * {@code cudaGetLastError()} after their own launches (cuDNN, TensorRT, our kernel launches) would otherwise report a
 * failure we already caught and handled (say a cudaMalloc that ran out of memory) as their own, later, on the same
 * thread. Errors that corrupt the context (an illegal address) cannot be cleared this way; they keep failing every call.
 */
final class CudaErrors {

    /** The three runtime calls this needs, so tests can stand in for the native library. */
    interface Source {
        /** cudaGetLastError: returns the thread's last error and resets it to cudaSuccess. */
        int getLastError();

        /** cudaGetErrorName. */
        String name(int status);

        /** cudaGetErrorString. */
        String text(int status);
    }

    private final Source source;

    CudaErrors(Source source) {
        this.source = source;
    }

    /** The process's errors, read from the loaded runtime (touching it loads the CUDA bindings). */
    static CudaErrors natives() {
        return Native.INSTANCE;
    }

    private static final class Native {
        static final CudaErrors INSTANCE = new CudaErrors(NativeCuda.ERROR_SOURCE);
    }

    /** The exception for {@code call} failing with {@code status}, after resetting the thread's last error. */
    CudaException failure(int status, String call) {
        source.getLastError();
        return new CudaException(call, status, source.name(status), source.text(status));
    }
}
