package io.eimf.mlflow.rest;

import io.eimf.core.retry.Backoff;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The one retry policy for every MLflow call EIMF makes itself. Idempotent calls (reads, set-tag, set-alias,
 * log-batch of params/tags, artifact PUT of the same bytes) are retried on transient failures. Creates are never
 * blindly re-sent: after a transient failure the policy first asks the server whether the object now exists
 * (the failed attempt may have been applied before the error) and returns it if so; only when it does not exist is
 * the create sent again. So a 5xx that arrives after the server did the work cannot duplicate a run or a version.
 */
public final class RetryPolicy {
    private final int attempts;
    private final Backoff backoff;

    /**
     * @param attempts total tries per call (at least 1)
     * @param initialBackoff the cap of the (jittered, {@link Backoff}) wait after the first failure; doubled after each
     *     further failure
     * @param maxBackoff the largest cap
     */
    public RetryPolicy(int attempts, Duration initialBackoff, Duration maxBackoff) {
        if (attempts < 1) throw new IllegalArgumentException("attempts must be >= 1");
        this.attempts = attempts;
        this.backoff = new Backoff(initialBackoff, maxBackoff);
    }

    /** Four tries, waits capped at 200 ms doubling up to 2 s: at most 1.4 s before giving up on a dead server. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(4, Duration.ofMillis(200), Duration.ofSeconds(2));
    }

    /** One try, no waiting: for probing a server that may be down. */
    public static RetryPolicy once() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
    }

    /** Total tries per call. */
    public int attempts() {
        return attempts;
    }

    /** Runs an idempotent call, retrying transient failures. */
    public <T> T idempotent(Supplier<T> call) {
        MlflowApiException last = null;
        for (int i = 0; i < attempts; i++) {
            if (i > 0) sleep(i);
            try {
                return call.get();
            } catch (MlflowApiException e) {
                if (!e.isTransient()) throw e;
                last = e;
            }
        }
        throw last;
    }

    /** Runs an idempotent call that returns nothing. */
    public void idempotentRun(Runnable call) {
        idempotent(() -> {
            call.run();
            return null;
        });
    }

    /**
     * Runs a create without ever duplicating it: before each re-send the policy calls {@code lookup}, which must
     * find the object by a key the create carried (a client-generated idempotency tag, the unique name, the run id
     * and source of a model version). A create rejected with RESOURCE_ALREADY_EXISTS on a re-send is resolved with
     * {@code lookup} as well.
     */
    public <T> T create(Supplier<T> create, Supplier<Optional<T>> lookup) {
        MlflowApiException last = null;
        for (int i = 0; i < attempts; i++) {
            if (i > 0) {
                sleep(i);
                Optional<T> existing;
                try {
                    existing = lookup.get();
                } catch (MlflowApiException e) {
                    if (!e.isTransient()) throw e;
                    last = e;
                    continue; // cannot tell whether it exists: do not re-send yet
                }
                if (existing.isPresent()) return existing.get();
            }
            try {
                return create.get();
            } catch (MlflowApiException e) {
                if (i > 0 && e.isAlreadyExists()) {
                    Optional<T> existing = lookup.get();
                    if (existing.isPresent()) return existing.get();
                }
                if (!e.isTransient()) throw e;
                last = e;
            }
        }
        throw last;
    }

    private void sleep(int failures) {
        try {
            backoff.sleep(failures - 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MlflowApiException(0, "", "interrupted while waiting to retry", e);
        }
    }
}
