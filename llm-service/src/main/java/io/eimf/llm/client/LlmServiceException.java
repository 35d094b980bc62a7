package io.eimf.llm.client;

import io.eimf.core.cli.EimfException;

/** The llm-service could not be reached or refused a request; {@link #status()} is the HTTP status or 0. */
public class LlmServiceException extends EimfException {
    private final int status;

    public LlmServiceException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** HTTP status of the refusal, or 0 when there was no HTTP answer (connection refused, timeout). */
    public int status() {
        return status;
    }
}
