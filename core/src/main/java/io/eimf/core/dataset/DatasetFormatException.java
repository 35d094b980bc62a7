package io.eimf.core.dataset;

import java.io.IOException;
import java.nio.file.Path;

/** A dataset file that does not follow the contract; the message names the file and line. */
public class DatasetFormatException extends IOException {
    public DatasetFormatException(Path file, long line, String reason) {
        super(file + ":" + line + ": " + reason);
    }

    public DatasetFormatException(String message) {
        super(message);
    }
}
