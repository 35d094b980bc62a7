package io.eimf.flink.format;

/** A line of input a format cannot read; the reader adds the file and line number. */
public class BadLineException extends Exception {
    public BadLineException(String reason) {
        super(reason, null, false, false);
    }
}
