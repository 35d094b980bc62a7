package io.eimf.llm.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter: attempt {@code n} (0-based retry) waits a uniform random time in
 * {@code [0, min(max, initial * 2^n)]}, so many clients that failed together do not retry together.
 *
 * @param maxRetries retries after the first attempt (0: no retry)
 * @param initialBackoff the cap of the first wait
 * @param maxBackoff the largest cap
 */
public record RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff) {
    public RetryPolicy {
        if (maxRetries < 0) throw new IllegalArgumentException("maxRetries must be >= 0");
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff");
        }
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
        long cap = Math.min(maxBackoff.toMillis(), initialBackoff.toMillis() << Math.min(retry, 30));
        if (cap <= 0) return Duration.ZERO;
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(cap + 1));
    }

    /** Sleeps for {@link #delay}; an interrupt is restored and reported as an exception. */
    public void sleep(int retry) throws InterruptedException {
        Duration d = delay(retry);
        if (!d.isZero()) Thread.sleep(d.toMillis());
    }
}
