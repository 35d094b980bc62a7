package io.eimf.serve;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives {@code POST /v1/recommend} of a running server: a closed loop (C clients, each sending its next request
 * when the previous one is answered) measures capacity; an open loop sends at a fixed rate whatever the answers do,
 * as independent users would, and measures each latency from the request's scheduled send time, so a stalled
 * server or client is not hidden (no coordinated omission). Like wrk2, at most a fixed number of requests (the
 * connections) are in flight: a request that finds them all busy waits in the generator, and that wait counts in
 * its latency. Counts 200s, 503s (and whether each carried {@code Retry-After}) and everything else as errors.
 */
public final class LoadGenerator implements AutoCloseable {
    private final URI url;
    private final String authorization;
    private final List<String> bodies;
    private final Duration timeout;
    private final ExecutorService callbacks;
    private final HttpClient http;
    private final java.util.concurrent.Semaphore connections;

    /**
     * What one phase saw.
     *
     * @param offeredRate requests sent per second
     * @param servedRate 200 answers per second
     * @param rejected 503 answers
     * @param missingRetryAfter 503 answers without a Retry-After header (counted in {@code errors} too)
     * @param errors anything but 200 and 503 (other statuses, timeouts, connection failures), plus 503s without
     *     Retry-After
     * @param p50Ms median latency of the 200 answers
     * @param p99Ms 99th percentile latency of the 200 answers (nearest rank)
     * @param sendLagP99Ms open loop: 99th percentile of how late the generator sent a request after its scheduled
     *     time (a busy client machine shows here, and in the latencies, which count from the scheduled time); 0 for
     *     the closed loop
     * @param firstError the first error seen, for the report (null when none)
     */
    public record Phase(String name, double seconds, long sent, double offeredRate, long ok, double servedRate,
                        long rejected, long missingRetryAfter, long errors, double p50Ms, double p99Ms,
                        double sendLagP99Ms, String firstError) {}

    /**
     * @param url the {@code /v1/recommend} URL
     * @param authorization the Authorization header value, or null
     * @param bodies request bodies, used in turn
     * @param timeout a request not answered within this counts as an error
     * @param connections most requests in flight at once in the open loop
     */
    public LoadGenerator(URI url, String authorization, List<String> bodies, Duration timeout, int connections) {
        this.connections = new java.util.concurrent.Semaphore(connections);
        this.url = url;
        this.authorization = authorization;
        this.bodies = List.copyOf(bodies);
        this.timeout = timeout;
        this.callbacks = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "eimf-load");
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(callbacks)
                .connectTimeout(timeout).build();
    }

    private HttpRequest request(long i) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(bodies.get((int) (i % bodies.size()))));
        if (authorization != null) b.header("Authorization", authorization);
        return b.build();
    }

    /** Counters of one phase; thread-safe. */
    private static final class Tally {
        final AtomicLong sent = new AtomicLong();
        final AtomicLong ok = new AtomicLong();
        final AtomicLong rejected = new AtomicLong();
        final AtomicLong noRetryAfter = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final List<Long> okNanos = new ArrayList<>();
        final List<Long> lagNanos = new ArrayList<>();
        volatile String firstError;

        void record(HttpResponse<String> r, Throwable failure, long nanos) {
            if (failure != null) {
                error(failure.getClass().getSimpleName() + ": " + failure.getMessage());
            } else if (r.statusCode() == 200) {
                ok.incrementAndGet();
                synchronized (okNanos) {
                    okNanos.add(nanos);
                }
            } else if (r.statusCode() == 503) {
                rejected.incrementAndGet();
                if (r.headers().firstValue("Retry-After").isEmpty()) {
                    noRetryAfter.incrementAndGet();
                    error("503 without Retry-After");
                }
            } else {
                error("HTTP " + r.statusCode() + ": " + r.body());
            }
        }

        void error(String what) {
            errors.incrementAndGet();
            if (firstError == null) firstError = what;
        }

        Phase phase(String name, double seconds) {
            long[] l;
            synchronized (okNanos) {
                l = okNanos.stream().mapToLong(Long::longValue).toArray();
            }
            Arrays.sort(l);
            long[] lag = lagNanos.stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(lag);
            return new Phase(name, seconds, sent.get(), sent.get() / seconds, ok.get(), ok.get() / seconds,
                    rejected.get(), noRetryAfter.get(), errors.get(), pct(l, 0.50), pct(l, 0.99),
                    lag.length == 0 ? 0 : pct(lag, 0.99), firstError);
        }
    }

    /** {@code clients} closed-loop clients for {@code duration}: the served rate is the capacity. */
    public Phase closedLoop(String name, int clients, Duration duration) throws InterruptedException {
        Tally t = new Tally();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        AtomicLong next = new AtomicLong();
        for (int c = 0; c < clients; c++) {
            Thread th = new Thread(() -> {
                while (System.nanoTime() < end) {
                    long i = next.getAndIncrement();
                    t.sent.incrementAndGet();
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> r = http.send(request(i), HttpResponse.BodyHandlers.ofString());
                        t.record(r, null, System.nanoTime() - t0);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (Exception e) {
                        t.record(null, e, System.nanoTime() - t0);
                    }
                }
            }, "eimf-load-closed-" + c);
            th.setDaemon(true);
            th.start();
            threads.add(th);
        }
        for (Thread th : threads) th.join();
        return t.phase(name, (System.nanoTime() - start) / 1e9);
    }

    /**
     * Sends at {@code rate} requests per second for {@code duration} whatever the answers, then waits for the
     * outstanding answers. A sender that falls behind (a busy machine, all connections busy) catches up at once; the
     * offered rate reports what was really sent.
     */
    public Phase openLoop(String name, double rate, Duration duration) throws InterruptedException {
        Tally t = new Tally();
        long interval = Math.max(1, (long) (1e9 / rate));
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        List<CompletableFuture<?>> inFlight = new ArrayList<>();
        for (long i = 0; ; i++) {
            long due = start + i * interval;
            if (due >= end) break;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) LockSupport.parkNanos(wait);
            connections.acquire();
            t.sent.incrementAndGet();
            t.lagNanos.add(System.nanoTime() - due);
            inFlight.add(http.sendAsync(request(i), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, e) -> {
                        connections.release();
                        t.record(r, e, System.nanoTime() - due);
                    }));
            if (inFlight.size() >= 4096) inFlight.removeIf(CompletableFuture::isDone);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long drainUntil = System.nanoTime() + timeout.toNanos() + TimeUnit.SECONDS.toNanos(1);
        for (CompletableFuture<?> f : inFlight) {
            long left = drainUntil - System.nanoTime();
            try {
                f.get(Math.max(0, left), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                // Counted by whenComplete (an error) or still outstanding (counted below).
            }
        }
        long unanswered = inFlight.stream().filter(f -> !f.isDone()).count();
        for (long u = 0; u < unanswered; u++) t.error("no answer within the request timeout");
        return t.phase(name, seconds);
    }

    /** Nearest-rank percentile in milliseconds; NaN when there is no sample. */
    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    @Override
    public void close() {
        callbacks.shutdownNow();
    }
}
