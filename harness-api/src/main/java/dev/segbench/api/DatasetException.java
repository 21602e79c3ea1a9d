package dev.segbench.api;

/** A dataset cannot be opened or fetched; the message is one line naming the file and the problem. */
public class DatasetException extends Exception {
    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
