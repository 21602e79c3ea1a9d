package dev.segbench.models.checkpoint;

/**
 * Internal: the checkpoint is malformed or uses something unsupported. The message is one line without the file
 * name; {@link CheckpointReader} prefixes the file and turns it into a ModelException.
 */
class CheckpointFormatException extends RuntimeException {
    CheckpointFormatException(String message) {
        super(message);
    }

    CheckpointFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A pickle referenced a global outside the allowlist; nothing was constructed or called for it. */
    static CheckpointFormatException forbiddenGlobal(String qualifiedName) {
        return new CheckpointFormatException("refuses to load: the pickle names the global " + qualifiedName
                + " (only PyTorch tensor state_dicts are accepted)");
    }
}
