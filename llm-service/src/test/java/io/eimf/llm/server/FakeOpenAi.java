package io.eimf.llm.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.eimf.core.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake OpenAI-compatible chat-completions server on a free loopback port, scripted per call: each call takes the
 * next scripted behaviour (then the default), so a test can serve 500, 429, slow or junk answers in a known order.
 */
final class FakeOpenAi implements AutoCloseable {
    /** What one call does. */
    record Behaviour(int status, long delayMs, String content, String retryAfter) {
        Behaviour(int status, long delayMs, String content) {
            this(status, delayMs, content, null);
        }
    }

    /** A 429 with this Retry-After header value. */
    static Behaviour rateLimited(String retryAfter) {
        return new Behaviour(429, 0, null, retryAfter);
    }

    static Behaviour valid() {
        return new Behaviour(200, 0, null);
    }

    static Behaviour slow(long ms) {
        return new Behaviour(200, ms, null);
    }

    static Behaviour status(int s) {
        return new Behaviour(s, 0, null);
    }

    static Behaviour content(String c) {
        return new Behaviour(200, 0, c);
    }

    private static final Pattern ITEM = Pattern.compile("(?m)^\\[(\\d+)] ");
    private static final Pattern RANGE = Pattern.compile("between (\\d+) and (\\d+) interests");

    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(64);
    private final ConcurrentLinkedQueue<Behaviour> script = new ConcurrentLinkedQueue<>();
    private volatile Behaviour fallback = valid();
    final AtomicInteger calls = new AtomicInteger();
    /** System.nanoTime() at each call's arrival. */
    final List<Long> callTimes = new CopyOnWriteArrayList<>();
    final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();

    FakeOpenAi() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        server.createContext("/v1/chat/completions", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    FakeOpenAi then(Behaviour... bs) {
        script.addAll(List.of(bs));
        return this;
    }

    FakeOpenAi always(Behaviour b) {
        fallback = b;
        return this;
    }

    private void handle(HttpExchange ex) throws IOException {
        calls.incrementAndGet();
        callTimes.add(System.nanoTime());
        JsonNode req = Json.mapper().readTree(ex.getRequestBody().readAllBytes());
        requests.add(req);
        authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
        Behaviour b = script.poll();
        if (b == null) b = fallback;
        if (b.delayMs() > 0) {
            try {
                Thread.sleep(b.delayMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String body;
        if (b.status() != 200) {
            body = "{\"error\":{\"message\":\"fake " + b.status() + "\",\"type\":\"server_error\"}}";
        } else {
            String content = b.content() != null ? b.content() : answerFor(req);
            ObjectNode r = Json.mapper().createObjectNode();
            r.put("id", "fake-" + calls.get()).put("object", "chat.completion").put("created", 1).put("model", "fake");
            ObjectNode choice = r.putArray("choices").addObject();
            choice.put("index", 0).put("finish_reason", "stop");
            choice.putObject("message").put("role", "assistant").put("content", content);
            r.putObject("usage").put("prompt_tokens", 100).put("completion_tokens", 20).put("total_tokens", 120);
            body = Json.write(r);
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        if (b.retryAfter() != null) ex.getResponseHeaders().add("Retry-After", b.retryAfter());
        try {
            ex.sendResponseHeaders(b.status(), bytes.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(bytes);
            }
        } catch (IOException e) {
            // The client gave up (timeout test): nothing to answer.
        }
    }

    /** A valid answer for the request's last user message: minInterests interests, one item each. */
    static String answerFor(JsonNode req) {
        ArrayNode msgs = (ArrayNode) req.get("messages");
        String user = null;
        for (JsonNode m : msgs) {
            if (m.get("role").asText().equals("user") && m.get("content").asText().contains("<items>")) {
                user = m.get("content").asText();
            }
        }
        int n = 0;
        Matcher im = ITEM.matcher(user);
        while (im.find()) n = Math.max(n, Integer.parseInt(im.group(1)));
        Matcher rm = RANGE.matcher(user);
        int want = rm.find() ? Integer.parseInt(rm.group(1)) : 2;
        StringBuilder b = new StringBuilder("{\"interests\":[");
        for (int k = 0; k < want; k++) {
            if (k > 0) b.append(',');
            b.append("{\"name\":\"Interest ").append(k + 1).append("\",\"description\":\"The user likes theme ")
                    .append(k + 1).append(".\",\"evidence\":[").append(1 + k % n).append("]}");
        }
        return b.append("]}").toString();
    }

    /** The text of the last message with {@code role} in call {@code i}. */
    String message(int i, String role) {
        String out = null;
        for (JsonNode m : requests.get(i).get("messages")) {
            if (m.get("role").asText().equals(role)) out = m.get("content").asText();
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
