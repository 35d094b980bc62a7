package io.eimf.llm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.eimf.core.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in OpenAI-compatible LLM for the load benchmark: answers every chat completion after a fixed latency with
 * a valid interest answer for the prompt (the asked minimum of interests, one item of evidence each). Not an LLM and
 * never used outside benchmarks.
 */
public final class FakeLlmServer implements AutoCloseable {
    private static final Pattern ITEM = Pattern.compile("(?m)^\\[(\\d+)] ");
    private static final Pattern RANGE = Pattern.compile("between (\\d+) and (\\d+) interests");

    private final HttpServer server;
    private final ExecutorService pool;
    private final long latencyMs;
    private final AtomicLong calls = new AtomicLong();

    /** Starts on a free loopback port; {@code threads} bounds how many calls it serves at once. */
    public FakeLlmServer(long latencyMs, int threads) throws IOException {
        this.latencyMs = latencyMs;
        this.pool = Executors.newFixedThreadPool(threads);
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        server.createContext("/v1/chat/completions", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    /** Base URL for the openai provider, ending in /v1. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Chat completions served so far. */
    public long calls() {
        return calls.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        calls.incrementAndGet();
        JsonNode req = Json.mapper().readTree(ex.getRequestBody().readAllBytes());
        try {
            Thread.sleep(latencyMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String user = "";
        for (JsonNode m : req.get("messages")) {
            if (m.get("role").asText().equals("user")) user = m.get("content").asText();
        }
        int n = 1;
        Matcher im = ITEM.matcher(user);
        while (im.find()) n = Math.max(n, Integer.parseInt(im.group(1)));
        Matcher rm = RANGE.matcher(user);
        int want = rm.find() ? Integer.parseInt(rm.group(1)) : 2;
        StringBuilder a = new StringBuilder("{\"interests\":[");
        for (int k = 0; k < want; k++) {
            if (k > 0) a.append(',');
            a.append("{\"name\":\"Theme ").append(k + 1).append("\",\"description\":\"Items about theme ")
                    .append(k + 1).append(".\",\"evidence\":[").append(1 + k % n).append("]}");
        }
        a.append("]}");
        String body = "{\"id\":\"fake\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"fake\","
                + "\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":{\"role\":\"assistant\","
                + "\"content\":" + Json.write(a.toString()) + "}}],"
                + "\"usage\":{\"prompt_tokens\":" + (user.length() / 4) + ",\"completion_tokens\":" + (a.length() / 4)
                + ",\"total_tokens\":" + ((user.length() + a.length()) / 4) + "}}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
