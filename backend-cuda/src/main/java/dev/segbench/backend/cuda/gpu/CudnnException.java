package dev.segbench.backend.cuda.gpu;

import dev.segbench.api.BackendException;

import static org.bytedeco.cuda.global.cudnn.CUDNN_STATUS_ALLOC_FAILED;
import static org.bytedeco.cuda.global.cudnn.CUDNN_STATUS_NOT_SUPPORTED;
import static org.bytedeco.cuda.global.cudnn.cudnnGetErrorString;

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

    static void checkCudnn(int status, String call) {
        if (status != 0) {
            String text = cudnnGetErrorString(status).getString();
            BackendException.Code code = status == CUDNN_STATUS_ALLOC_FAILED ? BackendException.Code.OUT_OF_MEMORY
                    : status == CUDNN_STATUS_NOT_SUPPORTED ? BackendException.Code.UNSUPPORTED_OP : BackendException.Code.DEVICE_ERROR;
            throw new CudnnException(call + " failed: " + text + " (cuDNN status " + status + ")", status, code);
        }
    }

    static void checkDriver(int status, String call) {
        if (status != 0) {
            throw new CudnnException(call + " failed: CUresult " + status, status, BackendException.Code.DEVICE_ERROR);
        }
    }
}
