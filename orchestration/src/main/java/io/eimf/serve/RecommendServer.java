package io.eimf.serve;

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
 * old one is left to the garbage collector. Binds 127.0.0.1 unless given another host.
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
    private Javalin app;
    private ScheduledExecutorService poller;

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

    public RecommendServer log(PrintStream p) {
        this.log = p;
        return this;
    }

    /** Loads the first model (a failure leaves /readyz at 503 and polling retries), then starts HTTP and polling. */
    public RecommendServer start() {
        pollNow();
        RecommendService service = new RecommendService(model, metrics, maxHistory, maxN);
        app = Javalin.create(cfg -> {
            cfg.jetty.host = host;
            cfg.jetty.port = port;
            cfg.startup.showJavalinBanner = false;
            cfg.http.maxRequestSize = 1L << 20;
            cfg.routes.post("/v1/recommend", ctx -> {
                long t0 = System.nanoTime();
                int status = 200;
                try {
                    RecommendService.Answer a = service.recommend(ctx.body());
                    ctx.contentType("application/json").result(RecommendService.toJson(a, (System.nanoTime() - t0) / 1e6));
                } catch (RecommendRequestException e) {
                    status = e.status();
                    ctx.status(status).contentType("application/json").result(Json.write(Map.of("error", e.getMessage())));
                } catch (RuntimeException e) {
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
                    ctx.contentType("application/json").result(Json.write(Map.of("status", "ready", "model", m.describe(),
                            "version", String.valueOf(m.version()), "items", m.numItems())));
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
            poller.scheduleWithFixedDelay(this::pollNow, poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
        }
        log.println("[serve] listening on http://" + host + ":" + port() + " (model " + source.describe()
                + (poller != null ? ", checked every " + poll.toSeconds() + "s" : "") + ")");
        return this;
    }

    /**
     * Checks the source once and swaps in a new model if its version changed. Returns true when it swapped. Never
     * throws: a failure is logged, counted and the current model keeps serving.
     */
    public synchronized boolean pollNow() {
        try {
            String v = source.currentVersion();
            if (v.equals(loadedVersion) && model.get() != null) return false;
            long t0 = System.nanoTime();
            ServingModel m = source.load();
            ServingModel old = model.getAndSet(m);
            loadedVersion = v;
            lastError = null;
            if (old != null) metrics.swapped();
            log.printf("[serve] %s %s (%d items, K=%d) in %.1fs%n", old == null ? "loaded" : "swapped to", m.describe(),
                    m.numItems(), m.numInterests(), (System.nanoTime() - t0) / 1e9);
            return old != null;
        } catch (Exception e) {
            metrics.pollFailed();
            lastError = e.getMessage() == null ? e.toString() : e.getMessage();
            log.println("[serve] cannot load " + source.describe() + ": " + lastError
                    + (model.get() != null ? " (still serving " + model.get().describe() + ")" : ""));
            return false;
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
    }
}
