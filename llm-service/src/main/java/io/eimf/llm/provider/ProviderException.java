package io.eimf.llm.provider;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.RateLimitException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/** A failed LLM call, classified so the caller knows whether a retry can help. */
public class ProviderException extends Exception {
    /** What went wrong. */
    public enum Kind {
        /** The call exceeded its timeout: retried. */
        TIMEOUT(true),
        /** HTTP 429: retried. */
        RATE_LIMITED(true),
        /** HTTP 5xx: retried. */
        SERVER_ERROR(true),
        /** The endpoint could not be reached: retried (it may be restarting). */
        UNREACHABLE(true),
        /** Other 4xx (bad key, unknown model, request too long): not retried. */
        REJECTED(false),
        /** Anything else: not retried. */
        OTHER(false);

        private final boolean retriable;

        Kind(boolean retriable) {
            this.retriable = retriable;
        }

        public boolean retriable() {
            return retriable;
        }
    }

    private final Kind kind;
    private final int status;
    private final transient Duration retryAfter;

    public ProviderException(Kind kind, int status, String message, Throwable cause) {
        this(kind, status, message, cause, null);
    }

    /** @param retryAfter the upstream's Retry-After (null: none given) */
    public ProviderException(Kind kind, int status, String message, Throwable cause, Duration retryAfter) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.retryAfter = retryAfter;
    }

    /** How long the upstream asked to wait before retrying (HTTP Retry-After), or null. */
    public Duration retryAfter() {
        return retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    /** HTTP status, or 0. */
    public int status() {
        return status;
    }

    /** Classifies an exception from a LangChain4j model by walking its cause chain. */
    public static ProviderException classify(String provider, Throwable e) {
        int status = 0;
        Kind kind = null;
        Duration retryAfter = null;
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof HttpException h) {
                status = h.statusCode();
                if (h instanceof RetryAfterHttpClient.Failure f) retryAfter = f.retryAfter();
                kind = status == 429 ? Kind.RATE_LIMITED : status >= 500 ? Kind.SERVER_ERROR : Kind.REJECTED;
                break;
            }
            if (t instanceof dev.langchain4j.exception.TimeoutException || t instanceof HttpTimeoutException
                    && !(t instanceof HttpConnectTimeoutException) || t instanceof SocketTimeoutException
                    || t instanceof java.util.concurrent.TimeoutException) {
                kind = Kind.TIMEOUT;
                break;
            }
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException) {
                kind = Kind.UNREACHABLE;
                break;
            }
            if (kind == null && t instanceof RateLimitException) kind = Kind.RATE_LIMITED;
            if (kind == null && t instanceof InternalServerException) kind = Kind.SERVER_ERROR;
            if (t.getCause() == null) break;
        }
        if (kind == null) kind = Kind.OTHER;
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (msg.length() > 300) msg = msg.substring(0, 300) + "...";
        return new ProviderException(kind, status, provider + ": " + kind.name().toLowerCase()
                + (status > 0 ? " (HTTP " + status + ")" : "") + ": " + msg, e, retryAfter);
    }
}
