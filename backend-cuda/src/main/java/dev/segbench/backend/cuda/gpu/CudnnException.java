package dev.segbench.backend.cuda.gpu;

import dev.segbench.api.BackendException;

/** A cuDNN, NVRTC or driver call failed; the message names the call and the status. */
public final class CudnnException extends RuntimeException {

    private final int status;
    private final BackendException.Code code;

    CudnnException(String message, int status, BackendException.Code code) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public BackendException toBackendException() {
        return new BackendException(code, getMessage(), this);
    }

    /** A failed cuDNN call: out of memory, not supported (any cuDNN 9 sub-code) or a device error. */
    static CudnnException of(String call, int status, String text) {
        BackendException.Code code = status == Cudnn.Statuses.ALLOC_FAILED ? BackendException.Code.OUT_OF_MEMORY
                : Cudnn.Statuses.notSupported(status) ? BackendException.Code.UNSUPPORTED_OP
                : BackendException.Code.DEVICE_ERROR;
        return new CudnnException(call + " failed: " + text + " (cuDNN status " + status + ")", status, code);
    }

    static void checkDriver(int status, String call) {
        if (status != 0) {
            throw new CudnnException(call + " failed: CUresult " + status, status, BackendException.Code.DEVICE_ERROR);
        }
    }
}
