package io.eimf.mlflow.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.json.Json;
import io.eimf.core.testing.RealSystems;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The official Python MLflow client and server of a venv ({@code EIMF_MLFLOW3_PYTHON} / {@code EIMF_MLFLOW2_PYTHON},
 * set by {@code .ci/services/20-mlflow.sh}): runs {@code src/test/python/mlflow_client_check.py} and parses its JSON,
 * or starts a private {@code mlflow server} a test may kill and restart.
 */
public final class PythonMlflow {
    /** The check script, relative to the mlflow module (surefire's working directory). */
    public static final Path SCRIPT = Path.of("src/test/python/mlflow_client_check.py").toAbsolutePath();

    private final String python;

    private PythonMlflow(String python) {
        this.python = python;
    }

    /** The venv of env var {@code var}; skips locally / fails under CI when it is not set. */
    public static PythonMlflow fromEnv(String var) {
        return new PythonMlflow(RealSystems.env(var, "Python venv with the mlflow package (source .ci/services/20-mlflow.sh)"));
    }

    /** Runs the check script with {@code args}; returns its JSON, or fails with its stderr. */
    public JsonNode check(String... args) throws IOException, InterruptedException {
        return check(Map.of(), args);
    }

    /** Runs the check script with extra environment variables. */
    public JsonNode check(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(python, SCRIPT.toString()));
        cmd.addAll(List.of(args));
        return Json.mapper().readTree(lastLine(run(cmd, env)));
    }

    /** Runs the {@code mlflow} command line of the venv ({@code python -m mlflow ARGS}); returns its stdout. */
    public String cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(python, "-m", "mlflow"));
        cmd.addAll(List.of(args));
        return run(cmd, Map.of());
    }

    private static String lastLine(String text) {
        String t = text.strip();
        return t.substring(t.lastIndexOf("\n") + 1);
    }

    private static String run(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
        Path err = Files.createTempFile("pymlflow", ".err");
        String shown = String.join(" ", cmd.subList(1, cmd.size()));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("python " + shown + " timed out");
            }
            if (p.exitValue() != 0) {
                String e = Files.readString(err);
                throw new AssertionError("python " + shown + " exited " + p.exitValue() + ":\n"
                        + e.substring(Math.max(0, e.length() - 3000)));
            }
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** Starts {@code mlflow server} on {@code port} with {@code storeArgs}; waits for /health. */
    public Server server(int port, List<String> storeArgs, Path log) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(python, "-m", "mlflow", "server", "--host", "127.0.0.1",
                "--port", String.valueOf(port), "--workers", "1"));
        cmd.addAll(storeArgs);
        return start(cmd, port, log);
    }

    /** Starts {@code mlflow ui --backend-store-uri STORE} on {@code port} with extra env; waits for /health. */
    public Server ui(int port, String storeUri, Path log, Map<String, String> env) throws IOException, InterruptedException {
        return start(List.of(python, "-m", "mlflow", "ui", "--host", "127.0.0.1", "--port", String.valueOf(port),
                "--backend-store-uri", storeUri), port, log, env);
    }

    private Server start(List<String> cmd, int port, Path log) throws IOException, InterruptedException {
        return start(cmd, port, log, Map.of());
    }

    private Server start(List<String> cmd, int port, Path log, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        // MLflow 3's job runner (8 huey consumers for GenAI jobs) is unused here and slows every start; 2.x ignores it.
        pb.environment().put("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false");
        pb.environment().put("MLFLOW_SERVER_JOB_ENABLE_PERIODIC_TASKS", "false");
        pb.environment().putAll(env);
        Process p = pb.start();
        Server s = new Server(p, "http://127.0.0.1:" + port, log);
        s.awaitHealthy();
        return s;
    }

    /** A private MLflow server process. */
    public static final class Server implements AutoCloseable {
        private final Process process;
        private final String uri;
        private final Path log;

        Server(Process process, String uri, Path log) {
            this.process = process;
            this.uri = uri;
            this.log = log;
        }

        /** http://127.0.0.1:PORT */
        public String uri() {
            return uri;
        }

        void awaitHealthy() throws IOException, InterruptedException {
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.currentTimeMillis() + 120_000;
            while (System.currentTimeMillis() < deadline) {
                if (!process.isAlive()) throw new AssertionError("mlflow server exited:\n" + Files.readString(log));
                try {
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(uri + "/health")).build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) return;
                } catch (IOException notYet) {
                    // starting
                }
                Thread.sleep(250);
            }
            throw new AssertionError("mlflow server at " + uri + " not healthy in 120 s:\n" + Files.readString(log));
        }

        /** Kills the server and its workers at once (SIGKILL), as a crash would. */
        public void kill() throws InterruptedException {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        /** Stops the server: TERM to it and its workers, then KILL to whatever of them is left after 3 s. */
        @Override
        public void close() throws InterruptedException {
            // Snapshot first: once the parent is gone its workers are re-parented and no longer its descendants.
            List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
            all.add(process.toHandle());
            all.forEach(ProcessHandle::destroy);
            long deadline = System.currentTimeMillis() + 3000;
            while (all.stream().anyMatch(ProcessHandle::isAlive) && System.currentTimeMillis() < deadline) Thread.sleep(100);
            all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
