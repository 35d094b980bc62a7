package io.eimf.model.nn;

import io.eimf.core.cli.EimfException;

/** A model or checkpoint file that is missing, truncated, changed or shaped wrong; the message names the file. */
public class ModelFormatException extends EimfException {
    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
