package dev.segbench.api;

/** A backend failed to build, load or run a model. Misuse (closed session, bad shape) stays unchecked. */
public class BackendException extends Exception {

    public enum Code { UNAVAILABLE, MODEL_INVALID, UNSUPPORTED_OP, BUILD_FAILED, OUT_OF_MEMORY, DEVICE_ERROR, RUNTIME_ERROR }

    private final Code code;

    public BackendException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public BackendException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
