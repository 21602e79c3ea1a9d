package dev.segbench.cuda;

import dev.segbench.api.BackendException;

/**
 * A CUDA runtime call failed. The message names the call and the CUDA error, e.g.
 * {@code cudaMalloc(1048576 bytes) failed: cudaErrorMemoryAllocation (out of memory), code 2}.
 * Unchecked because it can surface from any native call; backends turn it into a {@link BackendException}
 * with {@link #toBackendException()} at their API boundary.
 */
public class CudaException extends RuntimeException {

    /** {@code cudaErrorMemoryAllocation}. */
    public static final int OUT_OF_MEMORY = 2;

    private final String call;
    private final int code;
    private final String errorName;

    public CudaException(String call, int code, String errorName, String errorDescription) {
        super(format(call, code, errorName, errorDescription));
        this.call = call;
        this.code = code;
        this.errorName = errorName;
    }

    /** The one-line message for a failed call (pure, so it is unit-tested without a GPU). */
    public static String format(String call, int code, String errorName, String errorDescription) {
        StringBuilder text = new StringBuilder(call).append(" failed: ");
        text.append(errorName == null || errorName.isBlank() ? "CUDA error" : errorName);
        if (errorDescription != null && !errorDescription.isBlank()) {
            text.append(" (").append(errorDescription).append(')');
        }
        return text.append(", code ").append(code).toString();
    }

    /** The call as written by the caller, e.g. {@code "cudaMalloc(1048576 bytes)"}. */
    public String call() {
        return call;
    }

    /** The {@code cudaError_t} value. */
    public int code() {
        return code;
    }

    /** The enum name, e.g. {@code "cudaErrorMemoryAllocation"}. */
    public String errorName() {
        return errorName;
    }

    public boolean isOutOfMemory() {
        return code == OUT_OF_MEMORY;
    }

    /** OUT_OF_MEMORY for allocation failures, DEVICE_ERROR otherwise; keeps this exception as the cause. */
    public BackendException toBackendException() {
        return new BackendException(isOutOfMemory() ? BackendException.Code.OUT_OF_MEMORY
                : BackendException.Code.DEVICE_ERROR, getMessage(), this);
    }
}
