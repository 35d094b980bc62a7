package io.eimf.mlflow.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.eimf.core.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * A model registry that misbehaves on demand, speaking just the MLflow REST calls {@code ModelResolver} makes
 * (alias, version, download URI, artifact list and download). No real server answers path-escaping versions or
 * endless bodies when asked, so this double does: each {@link Version} says what the server claims (name, version,
 * listing entries, sizes) and how each file's body is sent ({@link Body}).
 */
public final class HostileRegistry implements AutoCloseable {
    /** How a file's bytes are sent. */
    public enum Body {
        /** The bytes as stored. */
        NORMAL,
        /** Never ends: 64 KiB chunks until the client hangs up. */
        ENDLESS,
        /** One byte every 200 ms, for at most 20 s. */
        SLOW
    }

    /** One version as the server presents it; fields are public so a test can bend any of them. */
    public static final class Version {
        /** The name and version the server answers (may differ from what was asked). */
        public String name;
        public String version;
        /** The artifact root as a proxy path (mlflow-artifacts:/ + this). */
        public String root;
        /** Files under the root, by relative path. */
        public final Map<String, byte[]> files = new TreeMap<>();
        /** Sizes to list instead of the true ones (-1: leave file_size out). */
        public final Map<String, Long> listedSize = new ConcurrentHashMap<>();
        /** How a file's body is sent (default NORMAL). */
        public final Map<String, Body> body = new ConcurrentHashMap<>();
        /** Extra raw listing entries per listed folder ("" for the root): path as the server writes it, is_dir. */
        public final Map<String, List<Map<String, Object>>> extraEntries = new ConcurrentHashMap<>();

        Version(String name, String version, String root) {
            this.name = name;
            this.version = version;
            this.root = root;
        }

        /** Adds every file of a folder. */
        public Version addFolder(Path dir) throws IOException {
            try (Stream<Path> w = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) w.filter(Files::isRegularFile)::iterator) {
                    files.put(dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
                }
            }
            return this;
        }
    }

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final Map<String, Version> versions = new ConcurrentHashMap<>();
    private volatile String champion;
    private final Map<String, Integer> downloads = new ConcurrentHashMap<>();

    public HostileRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(pool);
        server.createContext("/api/2.0/", this::handle);
        server.start();
    }

    /** The tracking URI. */
    public String uri() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Adds version {@code key} of model {@code name} (answered as such until a test bends it). */
    public Version add(String name, String key) {
        Version v = new Version(name, key, "1/run" + key + "/artifacts/model");
        versions.put(key, v);
        return v;
    }

    /** Points alias "champion" at the version added under {@code key}. */
    public void champion(String key) {
        champion = key;
    }

    /** How many artifact downloads the server answered. */
    public int downloads() {
        return downloads.values().stream().mapToInt(Integer::intValue).sum();
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath().substring("/api/2.0/".length());
            Map<String, String> q = query(ex.getRequestURI());
            switch (path) {
                case "mlflow/registered-models/alias" -> {
                    Version v = champion == null ? null : versions.get(champion);
                    if (v == null) notFound(ex);
                    else json(ex, Map.of("model_version", info(v)));
                }
                case "mlflow/model-versions/get" -> {
                    Version v = versions.values().stream().filter(x -> x.version.equals(q.get("version"))).findFirst()
                            .orElse(versions.get(q.getOrDefault("version", "")));
                    if (v == null) notFound(ex);
                    else json(ex, Map.of("model_version", info(v)));
                }
                case "mlflow/model-versions/get-download-uri" -> {
                    Version v = byAnswered(q.get("version"));
                    if (v == null) notFound(ex);
                    else json(ex, Map.of("artifact_uri", "mlflow-artifacts:/" + v.root));
                }
                case "mlflow-artifacts/artifacts" -> list(ex, q.getOrDefault("path", ""));
                default -> {
                    if (path.startsWith("mlflow-artifacts/artifacts/")) {
                        download(ex, URLDecoder.decode(path.substring("mlflow-artifacts/artifacts/".length()),
                                StandardCharsets.UTF_8));
                    } else {
                        notFound(ex);
                    }
                }
            }
        } catch (IOException e) {
            // the client hung up (a refused endless or slow body): nothing to answer
        }
    }

    private Version byAnswered(String version) {
        return versions.values().stream().filter(x -> x.version.equals(version)).findFirst().orElse(null);
    }

    private Map<String, Object> info(Version v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", v.name);
        m.put("version", v.version);
        m.put("source", "mlflow-artifacts:/" + v.root);
        m.put("run_id", "run" + v.version);
        m.put("current_stage", "None");
        m.put("status", "READY");
        return m;
    }

    private void list(HttpExchange ex, String path) throws IOException {
        for (Version v : versions.values()) {
            if (!path.equals(v.root) && !path.startsWith(v.root + "/")) continue;
            String rel = path.equals(v.root) ? "" : path.substring(v.root.length() + 1);
            String prefix = rel.isEmpty() ? "" : rel + "/";
            Map<String, Map<String, Object>> out = new TreeMap<>();
            v.files.forEach((f, bytes) -> {
                if (!f.startsWith(prefix)) return;
                String rest = f.substring(prefix.length());
                int slash = rest.indexOf('/');
                Map<String, Object> e = new LinkedHashMap<>();
                if (slash < 0) {
                    e.put("path", rest);
                    e.put("is_dir", false);
                    long size = v.listedSize.getOrDefault(f, (long) bytes.length);
                    if (size >= 0) e.put("file_size", size);
                    out.put(rest, e);
                } else {
                    e.put("path", rest.substring(0, slash));
                    e.put("is_dir", true);
                    out.putIfAbsent(rest.substring(0, slash), e);
                }
            });
            List<Map<String, Object>> files = new ArrayList<>(out.values());
            files.addAll(v.extraEntries.getOrDefault(rel, List.of()));
            json(ex, Map.of("files", files));
            return;
        }
        json(ex, Map.of("files", List.of()));
    }

    private void download(HttpExchange ex, String path) throws IOException {
        for (Version v : versions.values()) {
            if (!path.startsWith(v.root + "/")) continue;
            String rel = path.substring(v.root.length() + 1);
            byte[] data = v.files.get(rel);
            if (data == null) break;
            downloads.merge(rel, 1, Integer::sum);
            Body b = v.body.getOrDefault(rel, Body.NORMAL);
            ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
            if (b == Body.NORMAL) {
                ex.sendResponseHeaders(200, data.length == 0 ? -1 : data.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(data);
                }
                return;
            }
            ex.sendResponseHeaders(200, 0); // chunked: no length promised
            try (OutputStream o = ex.getResponseBody()) {
                if (b == Body.ENDLESS) {
                    byte[] chunk = new byte[64 * 1024];
                    for (long sent = 0; sent < (8L << 30); sent += chunk.length) o.write(chunk);
                } else {
                    long end = System.nanoTime() + 20_000_000_000L;
                    while (System.nanoTime() < end) {
                        o.write('x');
                        o.flush();
                        Thread.sleep(200);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        notFound(ex);
    }

    private static void json(HttpExchange ex, Object body) throws IOException {
        byte[] b = Json.write(body).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    private static void notFound(HttpExchange ex) throws IOException {
        byte[] b = "{\"error_code\":\"RESOURCE_DOES_NOT_EXIST\",\"message\":\"not found\"}".getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(404, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    private static Map<String, String> query(URI u) {
        Map<String, String> out = new LinkedHashMap<>();
        String raw = u.getRawQuery();
        if (raw == null) return out;
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
