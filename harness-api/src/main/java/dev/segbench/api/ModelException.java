package dev.segbench.api;

/** A model could not be built or its weights could not be imported; the message is one line for the user. */
public class ModelException extends Exception {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
