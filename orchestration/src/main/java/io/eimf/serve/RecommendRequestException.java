package io.eimf.serve;

/** A request the server refuses, with the HTTP status (4xx or 503) and a reason meant for the caller. */
public final class RecommendRequestException extends RuntimeException {
    private final int status;

    public RecommendRequestException(int status, String reason) {
        super(reason);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
