package io.eimf.flink.format;

import io.eimf.core.cli.EimfException;

/** Malformed input that stops preparation; the message is {@code file:line: reason}. */
public class BadInputException extends EimfException {
    public BadInputException(String message) {
        super(message);
    }
}
