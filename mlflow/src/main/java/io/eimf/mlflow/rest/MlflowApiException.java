package io.eimf.mlflow.rest;

import io.eimf.core.cli.EimfException;

/**
 * A failed MLflow REST call: the HTTP status (0 when the server could not be reached), MLflow's {@code error_code}
 * and message. Transient failures (unreachable, 429, 5xx) may be retried; the rest never are.
 */
public final class MlflowApiException extends EimfException {
    private final int status;
    private final String errorCode;

    public MlflowApiException(int status, String errorCode, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode == null ? "" : errorCode;
    }

    /** The HTTP status, or 0 when no response arrived. */
    public int status() {
        return status;
    }

    /** MLflow's error code, e.g. RESOURCE_DOES_NOT_EXIST; empty when the body carried none. */
    public String errorCode() {
        return errorCode;
    }

    /** Whether a retry could succeed: no response, 429 or 5xx. */
    public boolean isTransient() {
        return status == 0 || status == 429 || (status >= 500 && status != 501); // 501: will never work
    }

    /** Whether the server said the object does not exist. */
    public boolean isNotFound() {
        return status == 404 || "RESOURCE_DOES_NOT_EXIST".equals(errorCode);
    }

    /** Whether the server said the object already exists. */
    public boolean isAlreadyExists() {
        return "RESOURCE_ALREADY_EXISTS".equals(errorCode);
    }
}
