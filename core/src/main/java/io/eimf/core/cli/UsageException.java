package io.eimf.core.cli;

/** Wrong options or arguments: the launcher prints the message and exits 2. */
public class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
