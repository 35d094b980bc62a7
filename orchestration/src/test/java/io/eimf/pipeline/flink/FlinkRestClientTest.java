package io.eimf.pipeline.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.eimf.core.cli.EimfException;
import io.eimf.core.json.Json;
import io.eimf.pipeline.run.TaskLog;
import io.eimf.pipeline.spec.PipelineSpecReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests the Flink REST submission against a test double of a Flink JobManager's REST endpoint (a JDK HttpServer
 * answering /jars/upload, /jars/:id/run, /jobs/:id and /jobs/:id/exceptions with the JSON shapes Flink's REST API
 * documents), for the paths a real cluster makes hard to provoke (a job left by a killed runner, exact error
 * shapes). {@link RealFlinkClusterITCase} runs the same client against a real standalone cluster.
 */
class FlinkRestClientTest {
    @TempDir
    Path tmp;
    private HttpServer server;
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private volatile JsonNode runBody;
    private volatile byte[] uploaded;
    private volatile String finalState = "FINISHED";
    private final AtomicInteger polls = new AtomicInteger();
    private volatile boolean oldCancelled;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        calls.add(method + " " + path);
        byte[] body = ex.getRequestBody().readAllBytes();
        String resp;
        int code = 200;
        if (method.equals("POST") && path.equals("/jars/upload")) {
            String ct = ex.getRequestHeaders().getFirst("Content-Type");
            if (ct == null || !ct.startsWith("multipart/form-data; boundary=")
                    || !new String(body, StandardCharsets.ISO_8859_1).contains("name=\"jarfile\"")) {
                code = 400;
                resp = "{\"errors\":[\"Exactly 1 file must be sent, received 0.\"]}";
            } else {
                uploaded = body;
                resp = "{\"filename\":\"/tmp/flink-web-upload/4a1b_eimf-flink-jobs-job.jar\",\"status\":\"success\"}";
            }
        } else if (method.equals("POST") && path.equals("/jars/4a1b_eimf-flink-jobs-job.jar/run")) {
            runBody = Json.mapper().readTree(body);
            resp = "{\"jobid\":\"869a9868d49c679e7355700e0857af85\"}";
        } else if (method.equals("GET") && path.equals("/jobs/869a9868d49c679e7355700e0857af85")) {
            int n = polls.incrementAndGet();
            String state = n == 1 ? "CREATED" : n < 4 ? "RUNNING" : finalState;
            resp = "{\"jid\":\"869a9868d49c679e7355700e0857af85\",\"name\":\"eimf prepare\",\"state\":\"" + state + "\"}";
        } else if (method.equals("GET") && path.equals("/jobs/0000000000000000000000000000old1")) {
            resp = "{\"jid\":\"0000000000000000000000000000old1\",\"state\":\"" + (oldCancelled ? "CANCELED" : "RUNNING")
                    + "\"}";
        } else if (method.equals("PATCH") && path.equals("/jobs/0000000000000000000000000000old1")
                && "mode=cancel".equals(ex.getRequestURI().getQuery())) {
            oldCancelled = true;
            code = 202;
            resp = "{}";
        } else if (method.equals("GET") && path.endsWith("/exceptions")) {
            resp = "{\"root-exception\":\"java.io.FileNotFoundException: /data/raw/ratings.csv\\n\\tat x\",\"timestamp\":1}";
        } else {
            code = 404;
            resp = "{\"errors\":[\"Not found: " + path + "\"]}";
        }
        byte[] out = resp.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(code, out.length);
        ex.getResponseBody().write(out);
        ex.close();
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void uploadsRunsAndPollsUntilFinished() throws Exception {
        Path jar = Files.write(tmp.resolve("eimf-flink-jobs-0.1.0-job.jar"), new byte[] {'P', 'K', 3, 4, 42});
        FlinkRestExecutor exec = new FlinkRestExecutor(new FlinkRestClient(url()), jar, "io.eimf.flink.prepare.PrepareJob")
                .polling(Duration.ofMillis(10), Duration.ofSeconds(10));
        var task = PipelineSpecReader.parse("pipeline: p\ntasks:\n  prep:\n    kind: prepare\n    args: {input: /data/raw}\n",
                "p.yaml").task("prep");
        TaskLog log = new TaskLog(tmp.resolve("prep.log"));
        int code = exec.run(task, List.of("prepare", "--input", "/data/raw", "--out", "/data/out"), tmp.resolve("stdout.txt"), log);
        log.close();
        assertEquals(0, code, Files.readString(tmp.resolve("prep.log")));
        assertTrue(new String(uploaded, StandardCharsets.ISO_8859_1).contains("PK\u0003\u0004*"));
        assertEquals("io.eimf.flink.prepare.PrepareJob", runBody.get("entryClass").asText());
        assertEquals(List.of("--input", "/data/raw", "--out", "/data/out"),
                Json.mapper().convertValue(runBody.get("programArgsList"), List.class));
        assertEquals(4, polls.get());
        assertTrue(Files.readString(tmp.resolve("stdout.txt")).contains("869a9868d49c679e7355700e0857af85 FINISHED"));
        String logText = Files.readString(tmp.resolve("prep.log"));
        assertTrue(logText.contains(": RUNNING") && logText.contains(": FINISHED"), logText);

        // The jar is uploaded once per run.
        exec.run(task, List.of("prepare", "--input", "/data/raw"), tmp.resolve("stdout2.txt"), new TaskLog(tmp.resolve("l2")));
        assertEquals(1, calls.stream().filter(c -> c.equals("POST /jars/upload")).count());
    }

    @Test
    void aJobLeftRunningByAKilledRunnerIsCancelledBeforeTheTaskIsSubmittedAgain() throws Exception {
        Path jar = Files.write(tmp.resolve("eimf-flink-jobs-0.1.0-job.jar"), new byte[] {'P', 'K', 3, 4});
        FlinkRestClient c = new FlinkRestClient(url());
        Path jobs = Files.createDirectories(tmp.resolve("flink-jobs"));
        // What a runner killed with -9 while it waited leaves behind.
        Files.writeString(jobs.resolve("prep.json"), Json.write(java.util.Map.of("job", "0000000000000000000000000000old1",
                "url", c.base().toString(), "task", "prep")));
        FlinkRestExecutor exec = new FlinkRestExecutor(c, jar, "io.eimf.flink.prepare.PrepareJob")
                .polling(Duration.ofMillis(10), Duration.ofSeconds(10)).recordingJobsIn(jobs);
        var task = PipelineSpecReader.parse("pipeline: p\ntasks:\n  prep:\n    kind: prepare\n    args: {input: /d}\n",
                "p.yaml").task("prep");
        TaskLog log = new TaskLog(tmp.resolve("prep.log"));
        try {
            assertEquals(0, exec.run(task, List.of("prepare", "--input", "/d"), tmp.resolve("stdout.txt"), log));
        } finally {
            log.close();
            exec.close();
        }
        assertTrue(oldCancelled);
        int cancel = calls.indexOf("PATCH /jobs/0000000000000000000000000000old1");
        int run = calls.indexOf("POST /jars/4a1b_eimf-flink-jobs-job.jar/run");
        assertTrue(cancel >= 0 && cancel < run, calls.toString());
        assertFalse(Files.exists(jobs.resolve("prep.json")), "the record goes once the job has ended");
        assertTrue(Files.readString(tmp.resolve("prep.log")).contains("left running by an earlier run"));
    }

    @Test
    void aFailedJobFailsTheTaskWithTheClustersReason() throws Exception {
        finalState = "FAILED";
        Path jar = Files.write(tmp.resolve("eimf-flink-jobs-0.1.0-job.jar"), new byte[] {'P', 'K', 3, 4});
        FlinkRestExecutor exec = new FlinkRestExecutor(new FlinkRestClient(url()), jar, "io.eimf.flink.prepare.PrepareJob")
                .polling(Duration.ofMillis(10), Duration.ofSeconds(10));
        var task = PipelineSpecReader.parse("pipeline: p\ntasks:\n  prep:\n    kind: prepare\n    args: {input: /d}\n",
                "p.yaml").task("prep");
        TaskLog log = new TaskLog(tmp.resolve("prep.log"));
        EimfException e = assertThrows(EimfException.class,
                () -> exec.run(task, List.of("prepare", "--input", "/d"), tmp.resolve("stdout.txt"), log));
        log.close();
        assertTrue(e.getMessage().matches("Flink job 869a9868d49c679e7355700e0857af85 FAILED at http://127\\.0\\.0\\.1:\\d+/: "
                + "java\\.io\\.FileNotFoundException: /data/raw/ratings\\.csv"), e.getMessage());
    }

    @Test
    void theReasonIsOurExceptionInTheChainElseTheRootCause() {
        assertEquals("u.data:7: expected 4 tab-separated fields, found 3", FlinkRestClient.reason(
                "org.apache.flink.runtime.JobException: Recovery is suppressed by NoRestartBackoffTimeStrategy\n\tat x\n"
                        + "Caused by: io.eimf.core.cli.EimfException: u.data:7: expected 4 tab-separated fields, found 3\n\tat y"));
        assertEquals("java.util.concurrent.TimeoutException: Heartbeat of TaskManager with id x timed out.",
                FlinkRestClient.reason("org.apache.flink.runtime.JobException: Recovery is suppressed\n\tat x\nCaused by: "
                        + "java.util.concurrent.TimeoutException: Heartbeat of TaskManager with id x timed out.\n\tat y"));
        assertEquals("java.io.IOException: disk full", FlinkRestClient.reason("java.io.IOException: disk full\n\tat z"));
    }

    @Test
    void failedJobReportsTheRootException() throws Exception {
        finalState = "FAILED";
        FlinkRestClient c = new FlinkRestClient(url());
        String jar = c.uploadJar(Files.write(tmp.resolve("j.jar"), new byte[] {1}));
        assertEquals("4a1b_eimf-flink-jobs-job.jar", jar);
        String job = c.runJar(jar, "X", List.of(), 2);
        assertEquals(2, runBody.get("parallelism").asInt());
        assertEquals("FAILED", c.await(job, Duration.ofMillis(5), Duration.ofSeconds(5), s -> {}));
        assertEquals("java.io.FileNotFoundException: /data/raw/ratings.csv", c.failureCause(job));
    }

    @Test
    void httpErrorsAndUnreachableClustersGiveClearMessages() throws Exception {
        FlinkRestClient c = new FlinkRestClient(url());
        EimfException e = assertThrows(EimfException.class, () -> c.runJar("missing.jar", "X", List.of(), null));
        assertTrue(e.getMessage().contains("HTTP 404: Not found: /jars/missing.jar/run"), e.getMessage());
        server.stop(0);
        EimfException down = assertThrows(EimfException.class, () -> c.jobState("x"));
        assertTrue(down.getMessage().startsWith("cannot reach Flink at " + url()), down.getMessage());
        assertThrows(EimfException.class, () -> new FlinkRestClient("localhost:8081"));
    }
}
