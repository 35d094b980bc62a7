package io.eimf.llm.metrics;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Lock-free latency histogram with log-spaced buckets (about 4% wide) from 1 microsecond to about 20 minutes;
 * percentiles are accurate to one bucket. Cheap enough to record every request.
 */
public final class LatencyHistogram {
    private static final double GROWTH = 1.04;
    private static final double LOG_GROWTH = Math.log(GROWTH);
    private static final int BUCKETS = 540;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong sumMicros = new AtomicLong();
    private final AtomicLong maxMicros = new AtomicLong();

    /** Records one duration in nanoseconds. */
    public void recordNanos(long nanos) {
        long us = Math.max(1, nanos / 1000);
        int b = (int) Math.min(BUCKETS - 1, Math.floor(Math.log(us) / LOG_GROWTH));
        counts.incrementAndGet(b);
        count.incrementAndGet();
        sumMicros.addAndGet(us);
        maxMicros.accumulateAndGet(us, Math::max);
    }

    /** The durations recorded since {@code earlier}, a {@link #copy} of this histogram taken before. */
    public LatencyHistogram since(LatencyHistogram earlier) {
        LatencyHistogram d = new LatencyHistogram();
        for (int b = 0; b < BUCKETS; b++) {
            long n = counts.get(b) - earlier.counts.get(b);
            if (n <= 0) continue;
            d.counts.set(b, n);
            d.count.addAndGet(n);
            // the exact maximum is not recoverable from two snapshots: the bucket's upper edge bounds it
            d.maxMicros.accumulateAndGet((long) Math.ceil(Math.pow(GROWTH, b + 1)), Math::max);
        }
        d.sumMicros.set(sumMicros.get() - earlier.sumMicros.get());
        return d;
    }

    /** A snapshot (not atomic across buckets while recording goes on; exact when recording has paused). */
    public LatencyHistogram copy() {
        LatencyHistogram c = new LatencyHistogram();
        for (int b = 0; b < BUCKETS; b++) c.counts.set(b, counts.get(b));
        c.count.set(count.get());
        c.sumMicros.set(sumMicros.get());
        c.maxMicros.set(maxMicros.get());
        return c;
    }

    /** Number of recorded durations. */
    public long count() {
        return count.get();
    }

    /** The {@code q}-quantile (0..1) in milliseconds: the upper edge of the bucket holding it; 0 when empty. */
    public double percentileMs(double q) {
        long n = count.get();
        if (n == 0) return 0;
        long rank = (long) Math.ceil(q * n);
        long seen = 0;
        for (int b = 0; b < BUCKETS; b++) {
            seen += counts.get(b);
            if (seen >= rank && seen > 0) {
                double upperUs = Math.pow(GROWTH, b + 1);
                return Math.min(upperUs, maxMicros.get()) / 1000.0;
            }
        }
        return maxMicros.get() / 1000.0;
    }

    /** Mean in milliseconds. */
    public double meanMs() {
        long n = count.get();
        return n == 0 ? 0 : sumMicros.get() / 1000.0 / n;
    }

    /** Largest in milliseconds. */
    public double maxMs() {
        return maxMicros.get() / 1000.0;
    }

    /** A summary for JSON output: count, mean, p50, p90, p99, max (ms). */
    public Summary summary() {
        return new Summary(count(), round(meanMs()), round(percentileMs(0.5)), round(percentileMs(0.9)),
                round(percentileMs(0.99)), round(maxMs()));
    }

    /** Latency summary in milliseconds. */
    public record Summary(long count, double meanMs, double p50Ms, double p90Ms, double p99Ms, double maxMs) {}

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
