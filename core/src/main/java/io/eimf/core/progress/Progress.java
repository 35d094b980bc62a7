package io.eimf.core.progress;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * Progress of a long loop with a known or unknown total: prints rate, ETA and an optional status at most every
 * {@code interval}. Thread-safe.
 */
public final class Progress {
    private final String label;
    private final long total;
    private final PrintStream out;
    private final long intervalNanos;
    private final long start = System.nanoTime();
    private long done;
    private long lastPrint = start;

    /**
     * @param label what is being counted, e.g. "train"
     * @param total the expected count, or 0 when unknown
     * @param out where to print (normally stderr)
     * @param interval the least time between two lines
     */
    public Progress(String label, long total, PrintStream out, Duration interval) {
        this.label = label;
        this.total = total;
        this.out = out;
        this.intervalNanos = interval.toNanos();
    }

    /** Adds {@code n} units; prints a line if the interval has passed. */
    public synchronized void advance(long n, String status) {
        done += n;
        long now = System.nanoTime();
        if (now - lastPrint >= intervalNanos || (total > 0 && done >= total)) {
            lastPrint = now;
            out.println(line(now, status));
        }
    }

    /** Prints a closing line regardless of the interval. */
    public synchronized void finish(String status) {
        out.println(line(System.nanoTime(), status) + " done");
    }

    /** Units so far. */
    public synchronized long done() {
        return done;
    }

    private String line(long now, String status) {
        double secs = Math.max(1e-9, (now - start) / 1e9);
        double rate = done / secs;
        StringBuilder b = new StringBuilder();
        b.append('[').append(label).append("] ").append(done);
        if (total > 0) {
            b.append('/').append(total).append(String.format(Locale.ROOT, " (%.0f%%)", 100.0 * done / total));
        }
        b.append(String.format(Locale.ROOT, " %.1f/s elapsed %s", rate, fmt(secs)));
        if (total > 0 && rate > 0 && done < total) b.append(" eta ").append(fmt((total - done) / rate));
        if (status != null && !status.isEmpty()) b.append(' ').append(status);
        return b.toString();
    }

    private static String fmt(double secs) {
        long s = Math.round(secs);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
