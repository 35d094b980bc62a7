package io.eimf.llm.server;

/** A request the service refuses: the status and a reason naming the field or limit. */
public final class HttpError extends RuntimeException {
    private final int status;

    public HttpError(int status, String reason) {
        super(reason);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
