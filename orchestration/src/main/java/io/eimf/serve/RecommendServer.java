package io.eimf.serve;

import io.eimf.core.auth.BearerToken;
import io.eimf.core.json.Json;
import io.javalin.Javalin;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The model server: {@code POST /v1/recommend}, {@code GET /healthz} (the process is up), {@code GET /readyz} (a
 * model is loaded), {@code GET /metrics} (Prometheus text). A background poller asks the {@link ModelSource} for its
 * current version and, when it changed (a new champion was promoted), loads the new model beside the old one and
 * swaps it in with one atomic reference write; requests in flight finish on the model they started with, and the
 * old one is left to the garbage collector. Binds 127.0.0.1 unless given another host. With a token, everything but
 * /healthz and /readyz needs {@code Authorization: Bearer <token>}. Recommendations pass {@link AdmissionControl}:
 * a fixed worker pool behind a bounded queue, 503 with {@code Retry-After} when full, a deadline per request.
 */
public final class RecommendServer implements AutoCloseable {
    private final ModelSource source;
    private final AtomicReference<ServingModel> model = new AtomicReference<>();
    private final ServeMetrics metrics = new ServeMetrics();
    private String host = "127.0.0.1";
    private int port = 8000;
    private Duration poll = Duration.ofSeconds(30);
    private int maxHistory = RecommendService.DEFAULT_MAX_HISTORY;
    private int maxN = RecommendService.DEFAULT_MAX_N;
    private PrintStream log = System.err;
    private volatile String loadedVersion;
    private volatile String lastError;
    private volatile long lastErrorAtMillis;
    private BearerToken token;
    private int workers = Runtime.getRuntime().availableProcessors();
    private int queue = DEFAULT_QUEUE;
    private Duration deadline = DEFAULT_DEADLINE;
    private AdmissionControl admission;
    private Javalin app;
    private ScheduledExecutorService poller;

    /** Requests that may wait for a worker by default. */
    public static final int DEFAULT_QUEUE = 64;
    /** Longest time from a request's arrival to its answer by default. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(1);
    /** Seconds a refused client is told to wait ({@code Retry-After}). */
    public static final int RETRY_AFTER_SECONDS = 1;

    public RecommendServer(ModelSource source) {
        this.source = source;
    }

    public RecommendServer host(String h) {
        this.host = h;
        return this;
    }

    /** 0 picks a free port. */
    public RecommendServer port(int p) {
        this.port = p;
        return this;
    }

    /** How often to check the source for a new version; zero or negative turns polling off. */
    public RecommendServer poll(Duration d) {
        this.poll = d;
        return this;
    }

    public RecommendServer limits(int maxHistoryItems, int maxTopN) {
        this.maxHistory = maxHistoryItems;
        this.maxN = maxTopN;
        return this;
    }

    /** Requires {@code Authorization: Bearer <token>} on /v1/recommend and /metrics; null: no authentication. */
    public RecommendServer token(BearerToken t) {
        this.token = t;
        return this;
    }

    /**
     * Admission control: {@code workerThreads} requests computed at once, {@code queued} more waiting (503 beyond),
     * each answered within {@code requestDeadline} of its arrival (503 if still queued, 504 if still computed).
     */
    public RecommendServer admission(int workerThreads, int queued, Duration requestDeadline) {
        this.workers = workerThreads;
        this.queue = queued;
        this.deadline = requestDeadline;
        return this;
    }

    public RecommendServer log(PrintStream p) {
        this.log = p;
        return this;
    }

    /** Loads the first model (a failure leaves /readyz at 503 and polling retries), then starts HTTP and polling. */
    public RecommendServer start() {
        pollNow();
        RecommendService service = new RecommendService(model, metrics, maxHistory, maxN);
        admission = new AdmissionControl(workers, queue, deadline);
        metrics.admission(admission);
        app = Javalin.create(cfg -> {
            cfg.jetty.host = host;
            cfg.jetty.port = port;
            cfg.startup.showJavalinBanner = false;
            cfg.http.maxRequestSize = 1L << 20;
            // HTTP threads only read, wait and refuse; enough of them that admission control, not Jetty, decides.
            org.eclipse.jetty.util.thread.QueuedThreadPool http =
                    new org.eclipse.jetty.util.thread.QueuedThreadPool(Math.max(200, workers + queue + 64), 8);
            http.setName("eimf-serve-http");
            cfg.jetty.threadPool = http;
            cfg.routes.before(ctx -> {
                if (token != null && !ctx.path().equals("/healthz") && !ctx.path().equals("/readyz")
                        && !token.matches(ctx.header("Authorization"))) {
                    metrics.unauthorized();
                    throw new Unauthorized(ctx.header("Authorization") == null);
                }
            });
            cfg.routes.exception(Unauthorized.class, (e, ctx) -> ctx.status(401).header("WWW-Authenticate", "Bearer")
                    .contentType("application/json").result(Json.write(Map.of("error", e.getMessage()))));
            cfg.routes.post("/v1/recommend", ctx -> {
                long t0 = System.nanoTime();
                int status = 200;
                try {
                    String body = ctx.body();
                    RecommendService.Answer a = admission.run(t0, () -> service.recommend(body));
                    ctx.contentType("application/json").result(RecommendService.toJson(a, (System.nanoTime() - t0) / 1e6));
                } catch (AdmissionControl.Rejected e) {
                    status = e.status();
                    metrics.rejected(e.reason.label);
                    if (status == 503) ctx.header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
                    ctx.status(status).contentType("application/json").result(Json.write(Map.of("error", e.getMessage())));
                } catch (RecommendRequestException e) {
                    status = e.status();
                    if (status == 503) ctx.header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
                    ctx.status(status).contentType("application/json").result(Json.write(Map.of("error", e.getMessage())));
                } catch (Exception e) {
                    status = 500;
                    log.println("[serve] request failed: " + e);
                    ctx.status(500).contentType("application/json")
                            .result(Json.write(Map.of("error", "internal error: " + e.getClass().getSimpleName())));
                } finally {
                    metrics.request(status, System.nanoTime() - t0);
                }
            });
            cfg.routes.get("/healthz", ctx -> ctx.contentType("application/json").result("{\"status\":\"ok\"}"));
            cfg.routes.get("/readyz", ctx -> {
                ServingModel m = model.get();
                if (m == null) {
                    ctx.status(503).contentType("application/json").result(Json.write(Map.of("status", "not ready",
                            "reason", lastError == null ? "loading" : lastError)));
                } else {
                    // Degraded: the last poll failed, the last good model still serves (so still ready: 200).
                    Map<String, Object> r = new java.util.LinkedHashMap<>();
                    String err = lastError;
                    r.put("status", err == null ? "ready" : "degraded");
                    r.put("model", m.describe());
                    r.put("version", String.valueOf(m.version()));
                    r.put("items", m.numItems());
                    r.put("retrieval", m.retrieval());
                    if (err != null) {
                        r.put("lastPollError", err);
                        r.put("lastPollErrorAt", java.time.Instant.ofEpochMilli(lastErrorAtMillis).toString());
                    }
                    ctx.contentType("application/json").result(Json.write(r));
                }
            });
            cfg.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4").result(metrics.render(model.get())));
        }).start();
        if (!poll.isZero() && !poll.isNegative()) {
            poller = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "eimf-serve-poll");
                t.setDaemon(true);
                return t;
            });
            // A task that throws is never run again by the executor: the guard keeps the schedule alive whatever happens.
            poller.scheduleWithFixedDelay(() -> {
                try {
                    pollNow();
                } catch (Throwable ignored) {
                    // pollNow reports its own failures; this only catches a failure of that reporting (e.g. OOM).
                }
            }, poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
        }
        log.println("[serve] listening on http://" + host + ":" + port() + " (model " + source.describe()
                + (poller != null ? ", checked every " + poll.toSeconds() + "s" : "") + "; " + workers + " workers, queue "
                + queue + ", deadline " + deadline.toMillis() + " ms; auth " + (token == null ? "off" : "bearer token")
                + ")");
        return this;
    }

    /**
     * Checks the source once and swaps in a new model if its version changed. Returns true when it swapped. Never
     * throws, not even an {@link Error} (an OOM while loading a bad model): a failure is logged, counted, shown on
     * /readyz and /metrics, the current model keeps serving and the next poll tries again.
     */
    public synchronized boolean pollNow() {
        try {
            String v = source.currentVersion();
            if (v.equals(loadedVersion) && model.get() != null) {
                lastError = null;
                return false;
            }
            long t0 = System.nanoTime();
            ServingModel m = source.load();
            ServingModel old = model.getAndSet(m);
            loadedVersion = v;
            lastError = null;
            if (old != null) metrics.swapped();
            log.printf("[serve] %s %s (%d items, K=%d, retrieval %s) in %.1fs%n", old == null ? "loaded" : "swapped to",
                    m.describe(), m.numItems(), m.numInterests(), m.retrieval(), (System.nanoTime() - t0) / 1e9);
            return old != null;
        } catch (Throwable e) {
            // Throwable, VirtualMachineError included: a model too big for the heap fails this load, not the server.
            metrics.pollFailed();
            lastErrorAtMillis = System.currentTimeMillis();
            lastError = e instanceof Exception && e.getMessage() != null ? e.getMessage() : e.toString();
            log.println("[serve] cannot load " + source.describe() + ": " + lastError
                    + (model.get() != null ? " (still serving " + model.get().describe() + ")" : ""));
            return false;
        }
    }

    /** 401: a request without the right bearer token. */
    private static final class Unauthorized extends RuntimeException {
        Unauthorized(boolean missing) {
            super(missing ? "missing Authorization: Bearer token" : "wrong bearer token", null, false, false);
        }
    }

    /** The bound port. */
    public int port() {
        return app != null ? app.port() : port;
    }

    /** The model serving now, or null. */
    public ServingModel current() {
        return model.get();
    }

    public ServeMetrics metrics() {
        return metrics;
    }

    /** The shared model reference (for the in-process benchmark). */
    AtomicReference<ServingModel> modelRef() {
        return model;
    }

    @Override
    public void close() {
        if (poller != null) poller.shutdownNow();
        if (app != null) app.stop();
        if (admission != null) admission.close();
    }
}
