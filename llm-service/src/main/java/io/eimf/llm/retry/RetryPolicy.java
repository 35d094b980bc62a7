package io.eimf.llm.retry;

import io.eimf.core.retry.Backoff;
import java.time.Duration;

/**
 * How many times an LLM or llm-service call is retried and how long it waits: core's {@link Backoff} (exponential,
 * full jitter: retry {@code n} waits a uniform random time in {@code [0, min(max, initial * 2^n)]}). When the
 * upstream said how long to wait (HTTP {@code Retry-After} on a 429 or 503), the wait is that long, never shorter;
 * a Retry-After longer than {@code maxBackoff} is not waited out: the call fails instead of holding its request
 * open that long.
 *
 * @param maxRetries retries after the first attempt (0: no retry)
 * @param initialBackoff the cap of the first wait
 * @param maxBackoff the largest cap
 */
public record RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff) {
    public RetryPolicy {
        if (maxRetries < 0) throw new IllegalArgumentException("maxRetries must be >= 0");
        new Backoff(initialBackoff, maxBackoff); // validates the range
    }

    /** The waiting rule between attempts. */
    public Backoff backoff() {
        return new Backoff(initialBackoff, maxBackoff);
    }

    /** 3 retries, 200 ms doubling up to 5 s. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(3, Duration.ofMillis(200), Duration.ofSeconds(5));
    }

    /** No retries. */
    public static RetryPolicy none() {
        return new RetryPolicy(0, Duration.ZERO, Duration.ZERO);
    }

    /** The wait before retry number {@code retry} (0-based), jittered. */
    public Duration delay(int retry) {
        return Duration.ofMillis(backoff().delayMillis(retry));
    }

    /** Whether a retry may wait {@code retryAfter} (null: the upstream gave no Retry-After). */
    public boolean allows(Duration retryAfter) {
        return retryAfter == null || retryAfter.compareTo(maxBackoff) <= 0;
    }

    /** The wait before retry number {@code retry}: the upstream's Retry-After when given, else {@link #delay(int)}. */
    public Duration delay(int retry, Duration retryAfter) {
        return retryAfter != null ? retryAfter : delay(retry);
    }

    /** Sleeps for {@link #delay(int, Duration)}; an interrupt is restored and reported as an exception. */
    public void sleep(int retry, Duration retryAfter) throws InterruptedException {
        Duration d = delay(retry, retryAfter);
        if (!d.isZero()) Thread.sleep(d.toMillis());
    }

    /** Sleeps for {@link #delay(int)}; an interrupt is restored and reported as an exception. */
    public void sleep(int retry) throws InterruptedException {
        sleep(retry, null);
    }
}
