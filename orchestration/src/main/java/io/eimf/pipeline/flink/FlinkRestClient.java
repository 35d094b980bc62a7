package io.eimf.pipeline.flink;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.cli.EimfException;
import io.eimf.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The part of Flink's REST API that submits a job jar: {@code POST /jars/upload} (multipart field {@code jarfile}),
 * {@code POST /jars/:jarid/run} with {@code entryClass}, {@code programArgsList} and {@code parallelism}, then
 * {@code GET /jobs/:jobid} until the job reaches a terminal state, and {@code GET /jobs/:jobid/exceptions} to say
 * why a job failed.
 */
public final class FlinkRestClient {
    /** Job states after which nothing more happens. */
    public static final Set<String> TERMINAL = Set.of("FINISHED", "FAILED", "CANCELED", "SUSPENDED");

    private final URI base;
    private final HttpClient http;
    private Duration requestTimeout = Duration.ofMinutes(2);

    /** A client for the cluster whose REST endpoint is {@code url} (e.g. http://localhost:8081). */
    public FlinkRestClient(String url) {
        String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        if (!u.startsWith("http://") && !u.startsWith("https://")) {
            throw new EimfException("--flink-url must start with http:// or https://, got '" + url + "'");
        }
        this.base = URI.create(u + "/");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    public URI base() {
        return base;
    }

    /** Uploads a job jar and returns its id on the cluster (the stored file name). */
    public String uploadJar(Path jar) throws IOException, InterruptedException {
        String boundary = "eimf-" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        // Streamed from the file: the job jar is ~190 MB, which a small runner heap cannot hold twice.
        HttpRequest req = HttpRequest.newBuilder(base.resolve("jars/upload")).timeout(requestTimeout)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.ofFile(jar), HttpRequest.BodyPublishers.ofByteArray(tail))).build();
        JsonNode r = send(req, "upload " + jar.getFileName());
        String filename = r.path("filename").asText("");
        if (!"success".equals(r.path("status").asText()) || filename.isEmpty()) {
            throw new EimfException("Flink " + base + " did not accept " + jar + ": " + r);
        }
        // The jar id is the stored file's name: the last path segment of "filename".
        return filename.substring(filename.replace('\\', '/').lastIndexOf('/') + 1);
    }

    /** Runs an uploaded jar's entry class with the arguments; returns the job id. */
    public String runJar(String jarId, String entryClass, List<String> args, Integer parallelism)
            throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        if (entryClass != null) body.put("entryClass", entryClass);
        body.put("programArgsList", args);
        if (parallelism != null) body.put("parallelism", parallelism);
        HttpRequest req = HttpRequest.newBuilder(base.resolve("jars/" + jarId + "/run")).timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build();
        JsonNode r = send(req, "run " + entryClass);
        String jobId = r.path("jobid").asText("");
        if (jobId.isEmpty()) throw new EimfException("Flink " + base + ": run returned no jobid: " + r);
        return jobId;
    }

    /** The job's current state (CREATED, RUNNING, FINISHED, FAILED, ...). */
    public String jobState(String jobId) throws IOException, InterruptedException {
        return job(jobId).path("state").asText("UNKNOWN");
    }

    /** {@code GET /jobs/:jobid}: state, duration (ms), vertices. */
    public JsonNode job(String jobId) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(base.resolve("jobs/" + jobId)).timeout(requestTimeout).GET().build();
        return send(req, "job " + jobId);
    }

    /** Asks the cluster to cancel a job ({@code PATCH /jobs/:jobid?mode=cancel}); a job already ended is fine. */
    public void cancel(String jobId) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(base.resolve("jobs/" + jobId + "?mode=cancel")).timeout(requestTimeout)
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).build();
        send(req, "cancel " + jobId);
    }

    /**
     * Why a job failed, from {@code /jobs/:jobid/exceptions}: of the newest failure, the innermost exception of our
     * own code (a bad line: file:line: reason) when there is one, else its root cause; "" when none.
     */
    public String failureCause(String jobId) {
        try {
            HttpRequest req = HttpRequest.newBuilder(base.resolve("jobs/" + jobId + "/exceptions"))
                    .timeout(requestTimeout).GET().build();
            JsonNode r = send(req, "exceptions of " + jobId);
            String root = r.path("root-exception").asText("");
            if (root.isEmpty()) {
                JsonNode h = r.path("exceptionHistory").path("entries");
                if (h.isArray() && !h.isEmpty()) root = h.get(0).path("stacktrace").asText(h.get(0).path("exceptionName").asText(""));
            }
            return reason(root);
        } catch (Exception e) {
            return "";
        }
    }

    /**
     * Polls the job until it is in a terminal state or {@code timeout} passes (then it throws); reports each state
     * change to {@code onState}. Returns the terminal state.
     */
    public String await(String jobId, Duration poll, Duration timeout, Consumer<String> onState)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        while (true) {
            String s = jobState(jobId);
            if (!s.equals(last)) {
                onState.accept(s);
                last = s;
            }
            if (TERMINAL.contains(s)) return s;
            if (System.nanoTime() > deadline) {
                throw new EimfException("Flink job " + jobId + " still " + s + " after " + timeout.toSeconds() + "s");
            }
            Thread.sleep(poll.toMillis());
        }
    }

    /** The line of a Java stack trace that says why: our own exception if it is in the chain, else the first line. */
    static String reason(String stacktrace) {
        String first = null;
        String ours = null;
        String root = null;
        for (String line : stacktrace.split("\n")) {
            String l = line.strip();
            if (first == null && !l.isEmpty()) first = l;
            if (l.startsWith("Caused by: ")) {
                l = l.substring("Caused by: ".length());
                root = l;
            }
            if (l.startsWith("io.eimf.")) ours = l;
        }
        // Flink wraps task failures ("Recovery is suppressed by NoRestartBackoffTimeStrategy"); the root says why.
        String r = ours != null ? ours : root != null ? root : first == null ? "" : first;
        int colon = r.indexOf(": ");
        // "io.eimf.core.cli.EimfException: u.data:7: ..." reads better without the class name.
        return ours != null && colon > 0 && r.substring(0, colon).endsWith("Exception") ? r.substring(colon + 2) : r;
    }

    private JsonNode send(HttpRequest req, String what) throws IOException, InterruptedException {
        HttpResponse<String> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            throw new EimfException("cannot reach Flink at " + base + " (" + what + "): connection refused");
        }
        JsonNode body;
        try {
            body = resp.body() == null || resp.body().isBlank() ? Json.mapper().createObjectNode()
                    : Json.mapper().readTree(resp.body());
        } catch (IOException e) {
            throw new EimfException("Flink " + base + " (" + what + "): HTTP " + resp.statusCode() + ", not JSON: "
                    + abbreviate(resp.body()));
        }
        if (resp.statusCode() / 100 != 2) {
            JsonNode errs = body.path("errors");
            String msg = errs.isArray() && !errs.isEmpty() ? errs.get(0).asText() : abbreviate(resp.body());
            int nl = msg.indexOf('\n');
            // Flink puts the whole stack trace in the error; its first line is generic ("Could not execute
            // application."), the innermost cause says what went wrong.
            String root = null;
            for (String line : msg.split("\n")) if (line.strip().startsWith("Caused by: ")) root = line.strip().substring(11);
            throw new EimfException("Flink " + base + " (" + what + "): HTTP " + resp.statusCode() + ": "
                    + (nl > 0 ? msg.substring(0, nl) : msg) + (root != null ? " (cause: " + root + ")" : ""));
        }
        return body;
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
