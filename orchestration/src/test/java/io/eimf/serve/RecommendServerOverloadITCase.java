package io.eimf.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.auth.BearerToken;
import io.eimf.core.cli.Eimf;
import io.eimf.core.json.Json;
import io.eimf.model.ibim.IbimConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model server under hostile conditions, end to end over loopback HTTP: an open-loop burst at twice its
 * capacity from the load generator, requests past their deadline, missing or wrong bearer tokens, and a model
 * source whose load throws an {@link Error}. A model that sleeps per request makes the capacity independent of the
 * machine's load; nothing here asserts a time.
 */
class RecommendServerOverloadITCase {
    static final String TOKEN = "test-token-0123456789";

    @TempDir
    Path tmp;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** A real exported model that takes {@code sleepMs} per recommendation. */
    static final class SlowModel implements ServingModel {
        final ServingModel inner;
        final long sleepMs;
        final String version;

        SlowModel(ServingModel inner, long sleepMs, String version) {
            this.inner = inner;
            this.sleepMs = sleepMs;
            this.version = version;
        }

        public String describe() {
            return "slow " + inner.describe();
        }

        public String version() {
            return version;
        }

        public int numItems() {
            return inner.numItems();
        }

        public int numInterests() {
            return inner.numInterests();
        }

        public int itemId(String rawId) {
            return inner.itemId(rawId);
        }

        public String rawId(int itemId) {
            return inner.rawId(itemId);
        }

        public String title(int itemId) {
            return inner.title(itemId);
        }

        public Ranked recommend(int[] history, int n) {
            try {
                Thread.sleep(sleepMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return inner.recommend(history, n);
        }
    }

    /** A source whose version and load outcome the test sets. */
    static final class ControlledSource implements ModelSource {
        final ServingModel base;
        final long sleepMs;
        final AtomicReference<String> version = new AtomicReference<>("1");
        final AtomicReference<Throwable> loadFailure = new AtomicReference<>();

        ControlledSource(ServingModel base, long sleepMs) {
            this.base = base;
            this.sleepMs = sleepMs;
        }

        public String describe() {
            return "controlled";
        }

        public String currentVersion() {
            return version.get();
        }

        public ServingModel load() throws Exception {
            Throwable t = loadFailure.get();
            if (t instanceof Error e) throw e;
            if (t instanceof Exception e) throw e;
            return new SlowModel(base, sleepMs, version.get());
        }
    }

    private ControlledSource source(long sleepMs) throws Exception {
        Path dir = tmp.resolve("model");
        if (!dir.toFile().exists()) {
            BenchServeCommand.exportRandomModel(dir, new IbimConfig("comirec-sa", 16, 4, 20, 200, 0), 3);
        }
        return new ControlledSource(new FolderSource(dir).load(), sleepMs);
    }

    private HttpResponse<String> send(int port, String method, String path, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (auth != null) b.header("Authorization", auth);
        b = method.equals("POST") ? b.POST(HttpRequest.BodyPublishers.ofString("{\"history\": [\"1\", \"2\"]}"))
                : b.GET();
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aBurstAtTwiceCapacityGetsOnly200sAnd503sWithRetryAfterAndTheServerRecovers() throws Exception {
        try (RecommendServer server = new RecommendServer(source(10)).port(0).poll(Duration.ZERO)
                .admission(1, 4, Duration.ofSeconds(5)).log(new PrintStream(log)).start();
             LoadGenerator gen = new LoadGenerator(URI.create("http://127.0.0.1:" + server.port() + "/v1/recommend"),
                     null, List.of("{\"history\": [\"1\", \"2\", \"3\"], \"n\": 10}"), Duration.ofSeconds(10), 64)) {
            BenchServeLoadCommand.Result r = BenchServeLoadCommand.run(gen, 2, Duration.ZERO, Duration.ofSeconds(1),
                    Duration.ofMillis(1500), 2.0, Duration.ofMillis(1500), 0.5, new PrintStream(log));
            String all = r.toString();
            assertNull(r.failure(), all);
            assertTrue(r.capacity().ok() > 10, all);
            assertTrue(r.burst().rejected() > 0, "a burst at 2x must overflow a queue of 4: " + all);
            assertEquals(0, r.burst().missingRetryAfter(), all);
            assertEquals(0, r.burst().errors(), all);
            assertTrue(r.burst().ok() > 0, all);
            assertEquals(r.recovery().sent(), r.recovery().ok(), "all 200 after the burst: " + all);
            assertTrue(r.recovery().sent() > 5, all);
            assertEquals(r.burst().rejected(), server.metrics().rejectedCount("queue_full")
                    + server.metrics().rejectedCount("deadline_queued"), all);
            String metrics = send(server.port(), "GET", "/metrics", null).body();
            assertTrue(metrics.contains("eimf_serve_rejected_total{reason=\"queue_full\"}"), metrics);
            assertTrue(metrics.contains("eimf_serve_queued_requests 0"), metrics);
        }
    }

    @Test
    void aRequestPastItsDeadlineIs503WhileQueuedAnd504WhileRunning() throws Exception {
        try (RecommendServer server = new RecommendServer(source(400)).port(0).poll(Duration.ZERO)
                .admission(1, 4, Duration.ofMillis(100)).log(new PrintStream(log)).start()) {
            int port = server.port();
            CompletableFuture<HttpResponse<String>> a = CompletableFuture.supplyAsync(() -> call(port));
            Thread.sleep(30);
            CompletableFuture<HttpResponse<String>> b = CompletableFuture.supplyAsync(() -> call(port));
            HttpResponse<String> ra = a.get();
            HttpResponse<String> rb = b.get();
            assertEquals(Set.of(503, 504), Set.of(ra.statusCode(), rb.statusCode()), ra.body() + " / " + rb.body());
            HttpResponse<String> queued = ra.statusCode() == 503 ? ra : rb;
            HttpResponse<String> running = ra.statusCode() == 504 ? ra : rb;
            assertTrue(queued.body().contains("waited 100 ms"), queued.body());
            assertEquals("1", queued.headers().firstValue("Retry-After").orElse(null));
            assertTrue(running.body().contains("deadline of 100 ms"), running.body());
            assertEquals(1, server.metrics().rejectedCount("deadline_queued"));
            assertEquals(1, server.metrics().rejectedCount("deadline_running"));
            String metrics = send(port, "GET", "/metrics", null).body();
            assertTrue(metrics.contains("eimf_serve_rejected_total{reason=\"deadline_running\"} 1"), metrics);
            assertTrue(metrics.contains("eimf_serve_requests_total{status=\"504\"} 1"), metrics);
        }
    }

    private HttpResponse<String> call(int port) {
        try {
            return send(port, "POST", "/v1/recommend", null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void withATokenEverythingButTheProbesNeedsTheBearerHeader() throws Exception {
        try (RecommendServer server = new RecommendServer(source(0)).port(0).poll(Duration.ZERO)
                .token(BearerToken.of(TOKEN, "test")).log(new PrintStream(log)).start()) {
            int port = server.port();
            HttpResponse<String> none = send(port, "POST", "/v1/recommend", null);
            assertEquals(401, none.statusCode());
            assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(null));
            assertTrue(none.body().contains("missing Authorization"), none.body());
            assertEquals(401, send(port, "POST", "/v1/recommend", "Bearer " + TOKEN + "x").statusCode());
            assertEquals(401, send(port, "POST", "/v1/recommend", TOKEN).statusCode());
            assertEquals(401, send(port, "GET", "/metrics", null).statusCode());
            assertEquals(200, send(port, "POST", "/v1/recommend", "Bearer " + TOKEN).statusCode());
            assertEquals(200, send(port, "GET", "/healthz", null).statusCode());
            assertEquals(200, send(port, "GET", "/readyz", null).statusCode());
            String metrics = send(port, "GET", "/metrics", "Bearer " + TOKEN).body();
            assertTrue(metrics.contains("eimf_serve_unauthorized_total 4"), metrics);
        }
    }

    @Test
    void thePollerSurvivesAnErrorAndReportsItOnReadyzAndMetrics() throws Exception {
        ControlledSource src = source(0);
        try (RecommendServer server = new RecommendServer(src).port(0).poll(Duration.ofMillis(20))
                .log(new PrintStream(log)).start()) {
            int port = server.port();
            src.loadFailure.set(new OutOfMemoryError("Java heap space (test: a model too big for the heap)"));
            src.version.set("2");
            // Several failed polls in a row: the schedule survived the first Error.
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (server.metrics().pollErrors() < 3 && System.nanoTime() < until) Thread.sleep(10);
            assertTrue(server.metrics().pollErrors() >= 3, log.toString());
            HttpResponse<String> ready = send(port, "GET", "/readyz", null);
            assertEquals(200, ready.statusCode(), "still serving the last good model: " + ready.body());
            JsonNode r = Json.mapper().readTree(ready.body());
            assertEquals("degraded", r.get("status").asText(), ready.body());
            assertEquals("1", r.get("version").asText());
            assertTrue(r.get("lastPollError").asText().contains("OutOfMemoryError"), ready.body());
            assertTrue(r.hasNonNull("lastPollErrorAt"), ready.body());
            assertEquals(200, send(port, "POST", "/v1/recommend", null).statusCode());
            String metrics = send(port, "GET", "/metrics", null).body();
            assertTrue(metrics.contains("eimf_serve_last_poll_error_timestamp_seconds "), metrics);
            assertFalse(metrics.contains("eimf_serve_poll_errors_total 0"), metrics);
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("OutOfMemoryError"), log.toString());
            // The source recovers: the next poll loads version 2 and readiness is clean again.
            src.loadFailure.set(null);
            while (!"2".equals(server.current().version()) && System.nanoTime() < until) Thread.sleep(10);
            assertEquals("2", server.current().version());
            JsonNode after = Json.mapper().readTree(send(port, "GET", "/readyz", null).body());
            assertEquals("ready", after.get("status").asText(), after.toString());
            assertFalse(after.has("lastPollError"), after.toString());
        }
    }

    @Test
    void serveRefusesAnEmptyOrShortTokenBeforeListening() {
        for (String bad : new String[] {"", "short"}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = new Eimf(Eimf.discover(), new PrintStream(out), new PrintStream(err, true, StandardCharsets.UTF_8))
                    .run(new String[] {"serve", "--model", tmp.resolve("absent").toString(), "--port", "0",
                        "--token", bad});
            String e = err.toString(StandardCharsets.UTF_8);
            assertEquals(Eimf.FAILURE, code, e);
            assertTrue(e.contains("--token: the token"), e);
            assertFalse(out.toString().contains("serving"), out.toString());
        }
    }
}
