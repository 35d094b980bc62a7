package io.eimf.core.cli;

/** An expected failure with a message meant for the user: printed as one line, exit 1. */
public class EimfException extends RuntimeException {
    public EimfException(String message) {
        super(message);
    }

    public EimfException(String message, Throwable cause) {
        super(message, cause);
    }
}
