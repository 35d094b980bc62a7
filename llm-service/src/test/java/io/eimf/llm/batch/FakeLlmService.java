package io.eimf.llm.batch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.eimf.core.json.Json;
import io.eimf.llm.api.BatchInterestRequest;
import io.eimf.llm.api.BatchInterestResponse;
import io.eimf.llm.api.EmbedRequest;
import io.eimf.llm.api.EmbedResponse;
import io.eimf.llm.api.Health;
import io.eimf.llm.api.Interest;
import io.eimf.llm.api.InterestItem;
import io.eimf.llm.api.InterestRequest;
import io.eimf.llm.api.InterestResponse;
import io.eimf.llm.api.TokenUsage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in llm-service speaking the real HTTP API (single and batch interest requests): it records every
 * interest request, can fail planned users,
 * hold requests beyond a count (to kill a client mid-run), and names interests after the items' first category.
 */
final class FakeLlmService implements AutoCloseable {
    final List<InterestRequest> requests = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger answered = new AtomicInteger();
    final AtomicInteger batchCalls = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final Map<String, Integer> failuresLeft = new ConcurrentHashMap<>();
    volatile int holdAfter = Integer.MAX_VALUE;
    volatile long delayMs = 0;
    private volatile CountDownLatch hold = new CountDownLatch(1);
    private final HttpServer http;

    FakeLlmService() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        http.setExecutor(Executors.newFixedThreadPool(16));
        http.createContext("/healthz", ex -> send(ex, new Health("ok", "fake", "fake-1", "t1", "fake-embed", "none",
                "test")));
        http.createContext("/v1/embed", ex -> {
            EmbedRequest r = Json.mapper().readValue(ex.getRequestBody(), EmbedRequest.class);
            List<float[]> vs = new ArrayList<>();
            for (String t : r.texts()) {
                float[] v = new float[8];
                for (int i = 0; i < 8; i++) v[i] = ((t.hashCode() >>> (i * 4)) & 15) / 15f;
                vs.add(v);
            }
            send(ex, new EmbedResponse("fake-embed", 8, vs));
        });
        http.createContext("/v1/interests", this::interests);
        http.start();
    }

    String url() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    /** Fails the next {@code times} requests of dense user {@code user}. */
    void failUser(int user, int times) {
        failuresLeft.put(String.valueOf(user), times);
    }

    /** Lets held requests go (they answer whoever is still listening). */
    void release() {
        holdAfter = Integer.MAX_VALUE;
        hold.countDown();
    }

    void reset() {
        requests.clear();
        answered.set(0);
        batchCalls.set(0);
        maxInFlight.set(0);
        hold = new CountDownLatch(1);
    }

    List<String> requestedUsers() {
        synchronized (requests) {
            return requests.stream().map(InterestRequest::userId).toList();
        }
    }

    private void interests(HttpExchange ex) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            // JDK contexts match by prefix: /v1/interests also receives /v1/interests/batch.
            boolean batch = ex.getRequestURI().getPath().endsWith("/batch");
            List<InterestRequest> asked = batch
                    ? Json.mapper().readValue(ex.getRequestBody(), BatchInterestRequest.class).requests()
                    : List.of(Json.mapper().readValue(ex.getRequestBody(), InterestRequest.class));
            if (batch) batchCalls.incrementAndGet();
            for (InterestRequest r : asked) {
                if (r.items().stream().map(InterestItem::id).distinct().count() != r.items().size()) {
                    // As the real service: repeated item ids are a bad request.
                    byte[] b = "{\"status\":400,\"error\":\"repeated item id\"}".getBytes(StandardCharsets.UTF_8);
                    ex.sendResponseHeaders(400, b.length);
                    try (OutputStream o = ex.getResponseBody()) {
                        o.write(b);
                    }
                    return;
                }
            }
            List<InterestResponse> answers = new ArrayList<>();
            for (InterestRequest r : asked) answers.add(answer(r));
            send(ex, batch ? new BatchInterestResponse(answers) : answers.get(0));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private InterestResponse answer(InterestRequest r) throws InterruptedException {
        int n;
        synchronized (requests) {
            requests.add(r);
            n = requests.size();
        }
        if (n > holdAfter) hold.await();
        if (delayMs > 0) Thread.sleep(delayMs);
        Integer left = failuresLeft.get(r.userId());
        if (left != null && left > 0) {
            failuresLeft.put(r.userId(), left - 1);
            return new InterestResponse(r.userId(), InterestResponse.FAILED, List.of(), "fake", "fake-1", "t1",
                    "0".repeat(64), false, 1, TokenUsage.NONE, 1, "2026-11-27T00:00:00Z", "planned failure");
        }
        Map<String, List<String>> byCategory = new LinkedHashMap<>();
        for (InterestItem it : r.items()) {
            String c = it.categories().isEmpty() ? "misc" : it.categories().get(0);
            byCategory.computeIfAbsent(c, k -> new ArrayList<>()).add(it.id());
        }
        List<Interest> out = new ArrayList<>();
        byCategory.entrySet().stream().sorted((a, b) -> b.getValue().size() - a.getValue().size())
                .limit(r.maxInterests())
                .forEach(e -> out.add(new Interest(e.getKey(), "likes " + e.getKey(), e.getValue())));
        answered.incrementAndGet();
        return new InterestResponse(r.userId(), InterestResponse.OK, out, "fake", "fake-1", "t1",
                "0".repeat(64), false, 1, new TokenUsage(10L * r.items().size(), 20), 1, "2026-11-27T00:00:00Z",
                null);
    }

    private static void send(HttpExchange ex, Object body) throws IOException {
        byte[] b = Json.write(body).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        try {
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        } catch (IOException e) {
            // the client went away (killed): nothing to answer
        }
    }

    @Override
    public void close() {
        release();
        http.stop(0);
    }
}
