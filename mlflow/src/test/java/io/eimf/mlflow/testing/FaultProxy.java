package io.eimf.mlflow.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy in front of any MLflow server (the double or a real one) that records every request and injects
 * the failures the contract tests need: "apply, then answer 503" on chosen endpoints (the case where a blind
 * re-send duplicates a create), and a whole-server outage.
 */
public final class FaultProxy implements AutoCloseable {
    private final String target;
    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Map<String, AtomicInteger> failAfter = new ConcurrentHashMap<>();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean down;
    private volatile long delayMillis;

    static {
        // Without TCP_NODELAY the JDK server's small responses wait ~40 ms for delayed ACKs on every request.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    public FaultProxy(String target) throws IOException {
        this.target = target.endsWith("/") ? target.substring(0, target.length() - 1) : target;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The proxy's URI, to use as tracking URI. */
    public String uri() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The next {@code times} requests whose path ends with {@code pathSuffix} reach the server, then answer 503. */
    public void failAfterForwarding(String pathSuffix, int times) {
        failAfter.put(pathSuffix, new AtomicInteger(times));
    }

    /** While down, every request answers 503 without reaching the server. */
    public void setDown(boolean down) {
        this.down = down;
    }

    /** Every request waits this long before it is forwarded (a slow server, so a kill lands mid-upload). */
    public void setDelayMillis(long millis) {
        this.delayMillis = millis;
    }

    /** Requests seen so far, as "METHOD /path" (no query). */
    public List<String> requests() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    /** How many requests with this method had a path ending with {@code suffix}. */
    public long count(String method, String suffix) {
        return requests().stream().filter(r -> r.startsWith(method + " ") && r.endsWith(suffix)).count();
    }

    /** Requests that could change the server (anything but GET). */
    public long writes() {
        return requests().stream().filter(r -> !r.startsWith("GET ")).count();
    }

    /** Forgets the recorded requests. */
    public void clear() {
        log.clear();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            forward(ex);
        } catch (IOException | RuntimeException | Error e) {
            // HttpServer drops handler exceptions silently; say what went wrong.
            System.err.println("FaultProxy: " + ex.getRequestMethod() + " " + ex.getRequestURI() + " failed: " + e);
            e.printStackTrace();
            throw e;
        } finally {
            ex.close();
        }
    }

    private void forward(HttpExchange ex) throws IOException {
        {
            String path = ex.getRequestURI().getRawPath();
            log.add(ex.getRequestMethod() + " " + path);
            byte[] body = ex.getRequestBody().readAllBytes();
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
            if (down) {
                send(ex, 503, "{\"error_code\":\"TEMPORARILY_UNAVAILABLE\",\"message\":\"injected outage\"}", "application/json");
                return;
            }
            String q = ex.getRequestURI().getRawQuery();
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target + path + (q == null ? "" : "?" + q)))
                    .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            String ct = ex.getRequestHeaders().getFirst("Content-Type");
            if (ct != null) b.header("Content-Type", ct);
            HttpResponse<byte[]> resp;
            try {
                resp = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            for (Map.Entry<String, AtomicInteger> f : failAfter.entrySet()) {
                if (path.endsWith(f.getKey()) && f.getValue().getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    send(ex, 503, "{\"error_code\":\"TEMPORARILY_UNAVAILABLE\",\"message\":\"injected 503 after the server applied the request\"}",
                            "application/json");
                    return;
                }
            }
            ex.getResponseHeaders().set("Content-Type", resp.headers().firstValue("Content-Type").orElse("application/octet-stream"));
            ex.sendResponseHeaders(resp.statusCode(), resp.body().length == 0 ? -1 : resp.body().length);
            if (resp.body().length > 0) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(resp.body());
                }
            }
        }
    }

    private static void send(HttpExchange ex, int status, String body, String type) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
