package io.eimf.llm.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.eimf.core.json.Json;
import io.eimf.llm.api.InterestItem;
import io.eimf.llm.api.InterestRequest;
import io.eimf.llm.api.InterestResponse;
import io.eimf.llm.client.LlmServiceClient;
import io.eimf.llm.config.LlmServiceConfig;
import io.eimf.llm.server.LlmServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ollama provider through LangChain4j against a fake Ollama /api/chat written here (first answer: HTTP 500). */
class OllamaProviderITCase {
    @TempDir
    Path tmp;

    @Test
    void ollamaAnswersAreValidatedRetriedAndCounted() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<JsonNode> seen = new CopyOnWriteArrayList<>();
        HttpServer fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        fake.createContext("/api/chat", ex -> {
            JsonNode req = Json.mapper().readTree(ex.getRequestBody().readAllBytes());
            seen.add(req);
            int n = calls.incrementAndGet();
            String content = "{\"interests\":[{\"name\":\"Space\",\"description\":\"Space films.\",\"evidence\":[1,3]},"
                    + "{\"name\":\"Jazz\",\"description\":\"Jazz films.\",\"evidence\":[2]}]}";
            String body = n == 1 ? "{\"error\":\"model is loading\"}"
                    : "{\"model\":\"qwen-test\",\"created_at\":\"2026-11-27T00:00:00Z\",\"message\":{\"role\":"
                    + "\"assistant\",\"content\":" + Json.write(content) + "},\"done\":true,\"done_reason\":\"stop\","
                    + "\"prompt_eval_count\":50,\"eval_count\":30}";
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(n == 1 ? 500 : 200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        fake.start();
        try (LlmServer s = LlmServer.start(LlmServiceConfig.defaults().with("provider", "ollama")
                .with("baseUrl", "http://127.0.0.1:" + fake.getAddress().getPort()).with("model", "qwen-test")
                .with("port", "0").with("cache", tmp.resolve("c.db").toString()).with("initialBackoffMs", "5")
                .with("maxBackoffMs", "20"))) {
            InterestRequest r = new InterestRequest("u", List.of(InterestItem.of("a", "Space Quest 1"),
                    InterestItem.of("b", "Jazz Nights 2"), InterestItem.of("c", "Space Story 3")), 2, 3);
            InterestResponse resp = new LlmServiceClient(s.url()).interests(r);
            assertTrue(resp.ok(), resp.error());
            assertEquals("ollama", resp.provider());
            assertEquals("qwen-test", resp.model());
            assertEquals(List.of("a", "c"), resp.interests().get(0).evidence());
            assertEquals(2, resp.attempts(), "the 500 was retried");
            assertEquals(50, resp.tokens().promptTokens());
            assertEquals(30, resp.tokens().completionTokens());
            assertEquals("json", seen.get(1).path("format").asText(), "JSON mode is asked for");
            assertEquals("qwen-test", seen.get(1).path("model").asText());
            assertTrue(new LlmServiceClient(s.url()).interests(r).cached());
            assertEquals(2, calls.get());
        } finally {
            fake.stop(0);
        }
    }
}
