package io.eimf.mlflow.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.eimf.core.json.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A small client for the parts of MLflow's REST API that {@code mlflow-client} lacks or handles unsafely: registry
 * writes, aliases, tags, deletes, {@code runs/log-model}, creates that must not be duplicated, and artifacts through
 * the {@code mlflow-artifacts} proxy ({@code mlflow server --serve-artifacts}). Each method makes exactly one HTTP
 * request; retries belong to {@link RetryPolicy} so there is one policy, not two stacked ones.
 */
public final class MlflowRestClient {
    private static final String API = "/api/2.0/";
    /** The largest JSON answer accepted (a registry search page of 1000 versions is a few MB). */
    static final long MAX_JSON_BYTES = 64L << 20;

    private final URI base;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final String authorization;

    /** A client for {@code trackingUri} (http or https) with credentials from the standard MLflow env vars. */
    public MlflowRestClient(String trackingUri) {
        this(trackingUri, Duration.ofSeconds(5), Duration.ofSeconds(120));
    }

    /**
     * @param trackingUri the server, e.g. http://localhost:5000
     * @param connectTimeout how long to wait for a connection
     * @param requestTimeout how long to wait for one response (artifacts included)
     */
    public MlflowRestClient(String trackingUri, Duration connectTimeout, Duration requestTimeout) {
        String u = trackingUri.endsWith("/") ? trackingUri.substring(0, trackingUri.length() - 1) : trackingUri;
        this.base = URI.create(u);
        if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
            throw new IllegalArgumentException("tracking URI must be http(s)://..., got " + trackingUri);
        }
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout)
                .version(HttpClient.Version.HTTP_1_1) // MLflow serves HTTP/1.1; skip the h2c upgrade dance
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        this.requestTimeout = requestTimeout;
        this.authorization = authorizationFromEnv();
    }

    /** The server's base URI. */
    public URI baseUri() {
        return base;
    }

    /** GET {@code /api/2.0/<endpoint>?query}. */
    public JsonNode get(String endpoint, Map<String, String> query) {
        return json(send(request(endpoint, query).GET(), "GET " + endpoint));
    }

    /** POST a JSON body to {@code /api/2.0/<endpoint>}. */
    public JsonNode post(String endpoint, Object body) {
        return json(send(jsonRequest(endpoint, "POST", body), "POST " + endpoint));
    }

    /** PATCH a JSON body. */
    public JsonNode patch(String endpoint, Object body) {
        return json(send(jsonRequest(endpoint, "PATCH", body), "PATCH " + endpoint));
    }

    /** DELETE with a JSON body, as MLflow's own REST store sends it. */
    public JsonNode delete(String endpoint, Object body) {
        return json(send(jsonRequest(endpoint, "DELETE", body), "DELETE " + endpoint));
    }

    /** Uploads one file to {@code mlflow-artifacts/artifacts/<artifactPath>} (a path under the artifact root). */
    public void uploadArtifact(String artifactPath, Path file) {
        HttpRequest.Builder b;
        try {
            b = request("mlflow-artifacts/artifacts/" + encodePath(artifactPath), Map.of())
                    .header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofFile(file));
        } catch (IOException e) {
            throw new MlflowApiException(0, "", "cannot read " + file + ": " + e.getMessage(), e);
        }
        send(b, "PUT artifact " + artifactPath);
    }

    /** Downloads one artifact file to {@code target} (written through a temporary sibling), within an hour. */
    public void downloadArtifact(String artifactPath, Path target) {
        downloadArtifact(artifactPath, target, Long.MAX_VALUE, Instant.now().plus(Duration.ofHours(1)));
    }

    /**
     * Downloads one artifact file to {@code target} (written through a temporary sibling): at most {@code maxBytes}
     * (a longer body is refused with a non-transient error) and all of it before {@code deadline} (a slow or endless
     * body ends in a transient timeout).
     */
    public void downloadArtifact(String artifactPath, Path target, long maxBytes, Instant deadline) {
        String what = "GET artifact " + artifactPath;
        HttpRequest req = request("mlflow-artifacts/artifacts/" + encodePath(artifactPath), Map.of()).GET().build();
        Path tmp = target.resolveSibling("." + target.getFileName() + ".part");
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            BoundedBody.Result r = BoundedBody.send(http, req, tmp, maxBytes, deadline, what);
            if (r.status() / 100 != 2) throw error(r.status(), r.errorBody(), what);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw unreachable(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MlflowApiException(0, "", what + ": interrupted", e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort: the .part file is inside the caller's temporary folder
            }
        }
    }

    /** One entry of an artifact listing: its name inside the listed folder, whether it is a folder, its size. */
    public record ArtifactEntry(String name, boolean isDir, long size) {}

    /** Lists one folder under the artifact root (not recursive). */
    public List<ArtifactEntry> listArtifacts(String path) {
        Map<String, String> q = path == null || path.isEmpty() ? Map.of() : Map.of("path", path);
        JsonNode files = get("mlflow-artifacts/artifacts", q).path("files");
        List<ArtifactEntry> out = new ArrayList<>();
        for (JsonNode f : files) {
            String p = f.path("path").asText();
            String name = p.substring(p.lastIndexOf('/') + 1);
            // MLflow answers the bare name or the listed path plus the name; anything else is not under the folder.
            if (!p.equals(name) && !p.equals((path == null ? "" : path) + "/" + name)) {
                throw new io.eimf.core.cli.EimfException("MLflow server " + base + " listed '" + p + "' under '"
                        + path + "': not an entry of that folder; refused");
            }
            out.add(new ArtifactEntry(name, f.path("is_dir").asBoolean(false),
                    f.path("file_size").asLong(0)));
        }
        return out;
    }

    private HttpRequest.Builder jsonRequest(String endpoint, String method, Object body) {
        return request(endpoint, Map.of()).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8));
    }

    private HttpRequest.Builder request(String endpoint, Map<String, String> query) {
        StringBuilder u = new StringBuilder(base.toString()).append(API).append(endpoint);
        if (!query.isEmpty()) {
            StringJoiner j = new StringJoiner("&", "?", "");
            query.forEach((k, v) -> j.add(enc(k) + "=" + enc(v)));
            u.append(j);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(u.toString())).timeout(requestTimeout);
        if (authorization != null) b.header("Authorization", authorization);
        return b;
    }

    private String send(HttpRequest.Builder b, String what) {
        try {
            BoundedBody.Result r = BoundedBody.send(http, b.build(), null, MAX_JSON_BYTES,
                    Instant.now().plus(requestTimeout), what);
            if (r.status() / 100 != 2) throw error(r.status(), r.errorBody(), what);
            return new String(r.memory(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw unreachable(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MlflowApiException(0, "", what + ": interrupted", e);
        }
    }

    private MlflowApiException unreachable(String what, IOException e) {
        String why = e instanceof ConnectException ? "connection refused"
                : e instanceof HttpTimeoutException ? "timed out (" + e.getMessage() + ")" : String.valueOf(e.getMessage());
        return new MlflowApiException(0, "", "MLflow server " + base + " unreachable (" + what + "): " + why, e);
    }

    private MlflowApiException error(int status, String body, String what) {
        String code = "";
        String message = body == null ? "" : body.strip();
        try {
            JsonNode n = Json.mapper().readTree(body);
            if (n != null && n.has("error_code")) {
                code = n.path("error_code").asText();
                message = n.path("message").asText();
            }
        } catch (IOException | RuntimeException ignored) {
            // not JSON (a proxy's HTML error page): keep the raw text, shortened
        }
        if (message.length() > 300) message = message.substring(0, 300) + "...";
        return new MlflowApiException(status, code,
                "MLflow " + what + " failed: HTTP " + status + (code.isEmpty() ? "" : " " + code) + ": " + message, null);
    }

    private static JsonNode json(String body) {
        if (body == null || body.isBlank()) return MissingNode.getInstance();
        try {
            return Json.mapper().readTree(body);
        } catch (IOException e) {
            throw new MlflowApiException(200, "", "MLflow answered with invalid JSON: " + e.getMessage(), e);
        }
    }

    /** Encodes each segment of a slash-separated path. */
    static String encodePath(String path) {
        StringJoiner j = new StringJoiner("/");
        for (String seg : path.split("/", -1)) j.add(enc(seg).replace("+", "%20"));
        return j.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String authorizationFromEnv() {
        String token = System.getenv("MLFLOW_TRACKING_TOKEN");
        if (token != null && !token.isBlank()) return "Bearer " + token;
        String user = System.getenv("MLFLOW_TRACKING_USERNAME");
        String pass = System.getenv("MLFLOW_TRACKING_PASSWORD");
        if (user != null && pass != null) {
            return "Basic " + Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }

    /** Builds a small JSON object body: alternating keys and values; null values are left out. */
    public static Map<String, Object> body(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) if (kv[i + 1] != null) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
