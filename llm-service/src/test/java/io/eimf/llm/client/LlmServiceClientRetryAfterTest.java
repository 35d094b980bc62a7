package io.eimf.llm.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.eimf.llm.retry.RetryPolicy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** LlmServiceClient honours Retry-After on 429/503 from the service (a loopback fake, no network). */
class LlmServiceClientRetryAfterTest {
    private static final String HEALTH = "{\"status\":\"ok\",\"provider\":\"metadata\",\"model\":\"metadata-v1\","
            + "\"templateVersion\":\"interests-v1\",\"embeddingModel\":\"all-minilm-l6-v2-q\",\"cache\":\"none\","
            + "\"version\":\"test\"}";
    private HttpServer server;
    private final AtomicInteger calls = new AtomicInteger();

    /** Answers {@code failures} times with {@code status} and {@code Retry-After: retryAfter}, then 200. */
    private String serve(int failures, int status, String retryAfter) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/healthz", ex -> {
            boolean fail = calls.incrementAndGet() <= failures;
            byte[] body = (fail ? "{\"status\":" + status + ",\"error\":\"busy\"}" : HEALTH)
                    .getBytes(StandardCharsets.UTF_8);
            if (fail) ex.getResponseHeaders().add("Retry-After", retryAfter);
            ex.sendResponseHeaders(fail ? status : 200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    @Test
    void waitsAsLongAsRetryAfterSaysOn503() throws IOException {
        // Jittered backoff alone would wait at most 10 ms here; Retry-After: 1 must make it wait a full second.
        LlmServiceClient c = new LlmServiceClient(serve(1, 503, "1"))
                .withRetry(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofSeconds(5)));
        long t0 = System.nanoTime();
        assertEquals("ok", c.health().status());
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(2, calls.get());
        assertTrue(waitedMs >= 1000, "retried after " + waitedMs + " ms despite Retry-After: 1");
    }

    @Test
    void doesNotWaitOutARetryAfterLongerThanMaxBackoff() throws IOException {
        LlmServiceClient c = new LlmServiceClient(serve(1, 429, "3600"))
                .withRetry(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofSeconds(5)));
        long t0 = System.nanoTime();
        LlmServiceException e = assertThrows(LlmServiceException.class, c::health);
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 3000, "waited for a Retry-After it should refuse");
        assertEquals(1, calls.get());
        assertEquals(429, e.status());
        assertTrue(e.getMessage().contains("3600000 ms, longer than maxBackoff"), e.getMessage());
    }
}
