package io.eimf.core.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter, the one waiting rule for every retry in EIMF (LLM calls, MLflow calls,
 * worker pools): retry {@code n} (0-based) waits a uniform random time in {@code [0, min(max, initial * 2^n)]}, so
 * many clients that failed together do not come back together.
 *
 * @param initial the cap of the first wait
 * @param max the largest cap
 */
public record Backoff(Duration initial, Duration max) {
    /** No waiting. */
    public static final Backoff NONE = new Backoff(Duration.ZERO, Duration.ZERO);

    public Backoff {
        if (initial.isNegative() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 <= initial backoff <= max backoff, got " + initial + ", " + max);
        }
    }

    /** The upper bound of the wait before retry {@code retry} (0-based). */
    public long capMillis(int retry) {
        if (retry < 0) throw new IllegalArgumentException("retry must be >= 0");
        return Math.min(max.toMillis(), initial.toMillis() << Math.min(retry, 30));
    }

    /** The wait before retry {@code retry} (0-based), jittered. */
    public long delayMillis(int retry) {
        long cap = capMillis(retry);
        return cap <= 0 ? 0 : ThreadLocalRandom.current().nextLong(cap + 1);
    }

    /** Sleeps for {@link #delayMillis}. */
    public void sleep(int retry) throws InterruptedException {
        long ms = delayMillis(retry);
        if (ms > 0) Thread.sleep(ms);
    }
}
