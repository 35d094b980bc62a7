package io.eimf.mlflow.local;

import io.eimf.core.cli.EimfException;

/** A run folder of the local store that cannot be read (a malformed file, named with its line); other runs can. */
public final class CorruptRunException extends EimfException {
    public CorruptRunException(String message, Throwable cause) {
        super(message, cause);
    }
}
