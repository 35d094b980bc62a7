package io.eimf.llm.server;

import com.fasterxml.jackson.databind.JsonMappingException;
import io.eimf.core.auth.BearerToken;
import io.eimf.core.json.Json;
import io.eimf.core.provenance.ToolVersion;
import io.eimf.llm.api.BatchInterestRequest;
import io.eimf.llm.api.BatchInterestResponse;
import io.eimf.llm.api.EmbedRequest;
import io.eimf.llm.api.EmbedResponse;
import io.eimf.llm.api.ErrorBody;
import io.eimf.llm.api.Health;
import io.eimf.llm.api.InterestRequest;
import io.eimf.llm.api.InterestResponse;
import io.eimf.llm.cache.InterestCache;
import io.eimf.llm.config.LlmServiceConfig;
import io.eimf.llm.embed.TextEmbedder;
import io.eimf.llm.extract.InterestExtractor;
import io.eimf.llm.extract.InterestService;
import io.eimf.llm.extract.LlmInterestExtractor;
import io.eimf.llm.metrics.ServiceMetrics;
import io.eimf.llm.provider.MetadataInterestExtractor;
import io.eimf.llm.provider.Providers;
import io.eimf.llm.retry.RetryPolicy;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The llm-service HTTP application (Javalin): {@code POST /v1/interests}, {@code POST /v1/interests/batch},
 * {@code POST /v1/embed}, {@code GET /healthz}, {@code GET /metrics}. Binds 127.0.0.1 unless configured otherwise;
 * with a token configured, everything but /healthz needs {@code Authorization: Bearer <token>}.
 */
public final class LlmServer implements AutoCloseable {
    /** Name prefix of the HTTP server's threads (the benchmark attributes CPU time by it). */
    public static final String HTTP_THREAD_NAME = "llm-http";
    private static final Set<String> ROUTES = Set.of("/v1/interests", "/v1/interests/batch", "/v1/embed", "/healthz",
            "/metrics");

    private final LlmServiceConfig config;
    private final ServiceMetrics metrics = new ServiceMetrics();
    private final InterestService service;
    private final RequestChecks checks;
    private final ExecutorService batchWorkers;
    private final BearerToken auth;
    private volatile TextEmbedder embedder;
    private final Javalin app;

    private LlmServer(LlmServiceConfig c) {
        this.config = c;
        this.checks = new RequestChecks(c);
        InterestExtractor extractor;
        if (c.provider().equals("metadata")) {
            extractor = new MetadataInterestExtractor();
        } else {
            extractor = new LlmInterestExtractor(Providers.chat(c),
                    new RetryPolicy(c.maxRetries(), Duration.ofMillis(c.initialBackoffMs()),
                            Duration.ofMillis(c.maxBackoffMs())), c.maxConcurrentCalls()).withListener(metrics);
        }
        InterestCache cache = null;
        try {
            if (extractor.cacheable()) {
                cache = new InterestCache(c.cache(), c.cacheUser(), c.cachePassword(), c.memoryCacheEntries(), 4);
            }
        } catch (RuntimeException e) {
            extractor.close();
            throw e;
        }
        this.service = new InterestService(extractor, cache, metrics);
        this.batchWorkers = Executors.newFixedThreadPool(Math.max(4, 2 * c.maxConcurrentCalls()), r -> {
            Thread t = new Thread(r, "llm-batch");
            t.setDaemon(true);
            return t;
        });
        this.auth = c.token() == null ? null : BearerToken.of(c.token(), "setting token");
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.http.maxRequestSize = c.maxRequestBytes();
            QueuedThreadPool pool = new QueuedThreadPool(c.serverThreads(), 8);
            pool.setName(HTTP_THREAD_NAME);
            cfg.jetty.threadPool = pool;
            cfg.routes.before(this::guard);
            cfg.routes.get("/healthz", ctx -> json(ctx, 200, health()));
            cfg.routes.get("/metrics", this::metricsRoute);
            cfg.routes.post("/v1/interests", this::interestsRoute);
            cfg.routes.post("/v1/interests/batch", this::batchRoute);
            cfg.routes.post("/v1/embed", this::embedRoute);
            cfg.routes.after(ctx -> metrics.response(ctx.statusCode()));
            cfg.routes.exception(HttpError.class, (e, ctx) -> {
                metrics.error(switch (e.status()) {
                    case 401 -> "unauthorized";
                    case 413 -> "too_large";
                    default -> "bad_request";
                });
                if (e.status() == 401) ctx.header("WWW-Authenticate", "Bearer");
                json(ctx, e.status(), new ErrorBody(e.status(), e.getMessage()));
            });
            cfg.routes.exception(HttpResponseException.class, (e, ctx) -> {
                metrics.error(e.getStatus() == 413 ? "too_large" : "http_" + e.getStatus());
                json(ctx, e.getStatus(), new ErrorBody(e.getStatus(), e.getMessage()));
            });
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                metrics.error("internal");
                json(ctx, 500, new ErrorBody(500, "internal error: " + e));
            });
        });
    }

    /** Builds the service from {@code c} and starts listening on {@code c.host()}:{@code c.port()}. */
    public static LlmServer start(LlmServiceConfig c) {
        LlmServer s = new LlmServer(c);
        try {
            s.app.start(c.host(), c.port());
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** The bound port. */
    public int port() {
        return app.port();
    }

    /** {@code http://host:port}. */
    public String url() {
        String h = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "http://" + h + ":" + port();
    }

    public ServiceMetrics metrics() {
        return metrics;
    }

    public InterestService service() {
        return service;
    }

    /** Health and configuration, as /healthz answers. */
    public Health health() {
        InterestExtractor x = service.extractor();
        return new Health("ok", x.provider(), x.model(), x.templateVersion(), config.embeddingModel(),
                x.cacheable() ? config.cacheDescription() : "none (" + x.provider() + " answers are not cached)",
                ToolVersion.get());
    }

    private void guard(Context ctx) {
        String path = ctx.path();
        metrics.request(ROUTES.contains(path) ? path : "other");
        if (auth != null && !path.equals("/healthz")) {
            String h = ctx.header("Authorization");
            // Constant-time comparison: the token must not leak through response timing.
            if (!auth.matches(h)) {
                throw new HttpError(401, h == null ? "missing Authorization: Bearer token"
                        : "wrong bearer token");
            }
        }
        String len = ctx.header("Content-Length");
        if (len != null) {
            long n;
            try {
                n = Long.parseLong(len.trim());
            } catch (NumberFormatException e) {
                throw new HttpError(400, "Content-Length is not a number: " + len);
            }
            if (n > config.maxRequestBytes()) {
                throw new HttpError(413, "request body is " + n + " bytes; the limit is " + config.maxRequestBytes()
                        + " (setting maxRequestBytes)");
            }
        }
    }

    private void metricsRoute(Context ctx) {
        String format = ctx.queryParam("format");
        String accept = ctx.header("Accept");
        if ("prometheus".equals(format) || format == null && accept != null && accept.startsWith("text/plain")) {
            ctx.status(200).contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.prometheus());
        } else {
            json(ctx, 200, metrics.snapshot());
        }
    }

    private void interestsRoute(Context ctx) {
        InterestRequest r = body(ctx, InterestRequest.class);
        checks.interests(r, "");
        json(ctx, 200, service.interests(r));
    }

    private void batchRoute(Context ctx) throws Exception {
        BatchInterestRequest b = body(ctx, BatchInterestRequest.class);
        checks.batch(b.requests());
        List<CompletableFuture<InterestResponse>> fs = new ArrayList<>();
        for (InterestRequest r : b.requests()) {
            fs.add(CompletableFuture.supplyAsync(() -> service.interests(r), batchWorkers));
        }
        List<InterestResponse> out = new ArrayList<>(fs.size());
        for (CompletableFuture<InterestResponse> f : fs) {
            try {
                out.add(f.get());
            } catch (java.util.concurrent.ExecutionException e) {
                // Unwrap so the error names the real failure (e.g. the cache database), not the future.
                if (e.getCause() instanceof Exception cause) throw cause;
                throw e;
            }
        }
        json(ctx, 200, new BatchInterestResponse(out));
    }

    private void embedRoute(Context ctx) {
        EmbedRequest r = body(ctx, EmbedRequest.class);
        checks.embed(r.texts());
        long t0 = System.nanoTime();
        TextEmbedder e = embedder();
        List<float[]> v = e.embedAll(r.texts());
        metrics.embedded(v.size(), System.nanoTime() - t0);
        json(ctx, 200, new EmbedResponse(e.modelName(), e.dimension(), v));
    }

    /** The embedder, loaded on first use (the ONNX model takes a second to load). */
    public TextEmbedder embedder() {
        TextEmbedder e = embedder;
        if (e == null) {
            synchronized (this) {
                if (embedder == null) embedder = TextEmbedder.create(config.embeddingModel());
                e = embedder;
            }
        }
        return e;
    }

    private static <T> T body(Context ctx, Class<T> type) {
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length == 0) throw new HttpError(400, "empty request body; expected a JSON " + type.getSimpleName());
        try {
            return Json.mapper().readValue(bytes, type);
        } catch (JsonMappingException e) {
            String path = e.getPathReference() == null ? "" : " at " + e.getPathReference()
                    .replace("io.eimf.llm.api.", "");
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            String msg = root != e && root.getMessage() != null ? root.getMessage() : e.getOriginalMessage();
            throw new HttpError(400, "invalid " + type.getSimpleName() + path + ": " + firstLine(msg));
        } catch (java.io.IOException e) {
            throw new HttpError(400, "invalid JSON: " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(Json.write(body));
    }

    /** Stops listening, then closes the provider and the cache. */
    @Override
    public void close() {
        try {
            app.stop();
        } finally {
            batchWorkers.shutdownNow();
            try {
                batchWorkers.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            service.close();
        }
    }
}
