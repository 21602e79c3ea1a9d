package dev.segbench.results;

/** Bad input from the user: the CLI prints the one-line message and exits with code 2, no stack trace. */
public class UserException extends RuntimeException {
    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
