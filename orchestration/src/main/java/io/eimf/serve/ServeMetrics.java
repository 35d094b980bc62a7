package io.eimf.serve;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/** Counters and a latency histogram for {@code /metrics}, in the Prometheus text format. Thread-safe. */
public final class ServeMetrics {
    /** Histogram bucket upper bounds in seconds. */
    static final double[] BUCKETS = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

    private final Map<Integer, AtomicLong> byStatus = new ConcurrentHashMap<>();
    private final AtomicLongArray bucketCounts = new AtomicLongArray(BUCKETS.length + 1);
    private final AtomicLong latencySumNanos = new AtomicLong();
    private final AtomicLong swaps = new AtomicLong();
    private final AtomicLong pollErrors = new AtomicLong();
    private final AtomicLong unknownItems = new AtomicLong();
    private final AtomicLong lastPollErrorMillis = new AtomicLong();
    private final AtomicLong unauthorized = new AtomicLong();
    private final Map<String, AtomicLong> rejected = new ConcurrentHashMap<>();
    private volatile AdmissionControl admission;

    /** Records one /v1/recommend request. */
    public void request(int status, long nanos) {
        byStatus.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
        double secs = nanos / 1e9;
        int b = 0;
        while (b < BUCKETS.length && secs > BUCKETS[b]) b++;
        bucketCounts.incrementAndGet(b);
        latencySumNanos.addAndGet(nanos);
    }

    public void swapped() {
        swaps.incrementAndGet();
    }

    public void pollFailed() {
        pollErrors.incrementAndGet();
        lastPollErrorMillis.set(System.currentTimeMillis());
    }

    public long pollErrors() {
        return pollErrors.get();
    }

    /** A request without the right bearer token. */
    public void unauthorized() {
        unauthorized.incrementAndGet();
    }

    /** A request refused or abandoned by admission control; {@code reason} is the label. */
    public void rejected(String reason) {
        rejected.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
    }

    public long rejectedCount(String reason) {
        AtomicLong c = rejected.get(reason);
        return c == null ? 0 : c.get();
    }

    /** The admission control whose queue and workers the page reports as gauges. */
    void admission(AdmissionControl a) {
        this.admission = a;
    }

    public void unknownItems(int n) {
        unknownItems.addAndGet(n);
    }

    public long requests(int status) {
        AtomicLong c = byStatus.get(status);
        return c == null ? 0 : c.get();
    }

    public long swaps() {
        return swaps.get();
    }

    /** The metrics page; {@code model} is the one serving now (null while none is loaded). */
    public String render(ServingModel model) {
        StringBuilder b = new StringBuilder();
        b.append("# HELP eimf_serve_requests_total Recommendation requests by HTTP status.\n");
        b.append("# TYPE eimf_serve_requests_total counter\n");
        byStatus.forEach((s, c) -> b.append("eimf_serve_requests_total{status=\"").append(s).append("\"} ")
                .append(c.get()).append('\n'));
        b.append("# HELP eimf_serve_request_seconds Latency of /v1/recommend, parse to response.\n");
        b.append("# TYPE eimf_serve_request_seconds histogram\n");
        long cum = 0;
        for (int i = 0; i < BUCKETS.length; i++) {
            cum += bucketCounts.get(i);
            b.append(String.format(Locale.ROOT, "eimf_serve_request_seconds_bucket{le=\"%s\"} %d%n",
                    java.math.BigDecimal.valueOf(BUCKETS[i]).stripTrailingZeros().toPlainString(), cum));
        }
        cum += bucketCounts.get(BUCKETS.length);
        b.append("eimf_serve_request_seconds_bucket{le=\"+Inf\"} ").append(cum).append('\n');
        b.append(String.format(Locale.ROOT, "eimf_serve_request_seconds_sum %.6f%n", latencySumNanos.get() / 1e9));
        b.append("eimf_serve_request_seconds_count ").append(cum).append('\n');
        b.append("# TYPE eimf_serve_model_swaps_total counter\neimf_serve_model_swaps_total ").append(swaps.get()).append('\n');
        b.append("# TYPE eimf_serve_poll_errors_total counter\neimf_serve_poll_errors_total ").append(pollErrors.get()).append('\n');
        if (lastPollErrorMillis.get() > 0) {
            b.append("# TYPE eimf_serve_last_poll_error_timestamp_seconds gauge\neimf_serve_last_poll_error_timestamp_seconds ")
                    .append(lastPollErrorMillis.get() / 1000).append('\n');
        }
        b.append("# HELP eimf_serve_rejected_total Requests not served by admission control: queue_full and "
                + "deadline_queued answered 503 with Retry-After, deadline_running answered 504.\n");
        b.append("# TYPE eimf_serve_rejected_total counter\n");
        for (String r : new String[] {"queue_full", "deadline_queued", "deadline_running"}) {
            b.append("eimf_serve_rejected_total{reason=\"").append(r).append("\"} ").append(rejectedCount(r)).append('\n');
        }
        b.append("# TYPE eimf_serve_unauthorized_total counter\neimf_serve_unauthorized_total ").append(unauthorized.get()).append('\n');
        AdmissionControl a = admission;
        if (a != null) {
            b.append("# TYPE eimf_serve_queued_requests gauge\neimf_serve_queued_requests ").append(a.queued()).append('\n');
            b.append("# TYPE eimf_serve_busy_workers gauge\neimf_serve_busy_workers ").append(a.busy()).append('\n');
        }
        b.append("# TYPE eimf_serve_unknown_items_total counter\neimf_serve_unknown_items_total ").append(unknownItems.get()).append('\n');
        b.append("# TYPE eimf_serve_model_info gauge\n");
        if (model != null) {
            b.append("eimf_serve_model_info{model=\"").append(escape(model.describe())).append("\",version=\"")
                    .append(model.version() == null ? "" : escape(model.version())).append("\",items=\"")
                    .append(model.numItems()).append("\",interests=\"").append(model.numInterests()).append("\"} 1\n");
        }
        return b.toString();
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
