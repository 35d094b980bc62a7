package io.eimf.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.json.Json;
import io.eimf.core.testing.RealSystems;
import io.eimf.mlflow.artifacts.ModelDescriptor;
import io.eimf.mlflow.local.LocalFileStore;
import io.eimf.mlflow.local.RunStatus;
import io.eimf.mlflow.model.ModelResolver;
import io.eimf.mlflow.registry.ModelRegistry;
import io.eimf.mlflow.registry.Promotions;
import io.eimf.mlflow.tracking.RunTags;
import io.eimf.mlflow.tracking.RunTracker;
import io.eimf.mlflow.tracking.TrackedRun;
import io.eimf.model.ibim.IbimConfig;
import io.eimf.model.inference.Recommender;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eimf serve}'s hot swap driven by the official Python client against a real MLflow 3.x server (from
 * {@code .ci/services/20-mlflow.sh}): EIMF logs two models and serves the champion; Python registers the second
 * ({@code mlflow.register_model("runs:/RUN/model")}, which MLflow 3 resolves to the run's logged model) and moves
 * the alias; the server's next poll swaps to it and answers with its ranking.
 */
class RealMlflowServeITCase {
    @TempDir
    Path tmp;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    /** Logs an exported random model to the server; returns the server run id. */
    private String logModel(String uri, Path local, String experiment, Path modelDir, String runName) throws Exception {
        String localId;
        try (RunTracker t = RunTracker.builder(local).trackingUri(uri).experiment(experiment).flushInterval(Duration.ZERO)
                .log(new PrintStream(log)).build(); TrackedRun run = t.startRun(runName)) {
            run.logMetric("test.recall_at_50", 0.1, 0);
            run.logModel(modelDir, "model", new ModelDescriptor("eimf-ibim/1", "io.eimf.model.inference.Recommender",
                    "1.0.0-M2.1", 4, 16, "comirec-sa", Map.of()));
            run.end(RunStatus.FINISHED);
            localId = run.runId();
        }
        return new LocalFileStore(local).readRun(localId).tags().get(RunTags.REMOTE_RUN_ID);
    }

    @Test
    void anAliasMovedFromPythonIsHotSwappedByServe() throws Exception {
        String uri = RealSystems.env("EIMF_MLFLOW_TEST_URI", "MLflow 3.x server (source .ci/services/20-mlflow.sh)");
        String python = RealSystems.env("EIMF_MLFLOW3_PYTHON", "MLflow 3.x Python venv (source .ci/services/20-mlflow.sh)");
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String name = "serve-" + unique;
        Path local = tmp.resolve("mlruns");
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        BenchServeCommand.exportRandomModel(a, new IbimConfig("comirec-sa", 16, 4, 20, 300, 0), 1);
        BenchServeCommand.exportRandomModel(b, new IbimConfig("comirec-sa", 16, 4, 20, 300, 0), 2);
        String runA = logModel(uri, local, "serve-" + unique, a, "a");
        String runB = logModel(uri, local, "serve-" + unique, b, "b");

        ModelRegistry reg = ModelRegistry.open(uri, local);
        String v1 = Promotions.register(reg, runA, "model", name).version().version();
        reg.setAlias(name, "champion", v1);
        RegistrySource source = new RegistrySource("models:/" + name + "@champion", reg,
                new ModelResolver(reg, tmp.resolve("cache"), new PrintStream(log)));
        try (RecommendServer server = new RecommendServer(source).port(0).poll(Duration.ZERO)
                .log(new PrintStream(log)).start()) {
            assertEquals("1", server.current().version());

            String moved = runPython(python, """
                    import json, sys, mlflow
                    from mlflow import MlflowClient
                    uri, run, name = sys.argv[1:4]
                    mlflow.set_tracking_uri(uri)
                    mv = mlflow.register_model(f"runs:/{run}/model", name)
                    MlflowClient(uri).set_registered_model_alias(name, "champion", mv.version)
                    print(json.dumps({"version": mv.version, "source": mv.source}))
                    """, uri, runB, name);
            JsonNode mv = Json.mapper().readTree(moved.strip().substring(moved.strip().lastIndexOf('\n') + 1));
            assertEquals("2", mv.path("version").asText());
            assertTrue(mv.path("source").asText().startsWith("models:/m-"), mv.toString());

            assertTrue(server.pollNow(), "the alias moved by Python should be picked up: " + log);
            assertEquals("2", server.current().version());
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/v1/recommend"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"history\": [\"5\", \"17\"], \"n\": 5}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode body = Json.mapper().readTree(r.body());
            assertEquals("2", body.get("version").asText());
            List<Recommender.Item> expected = Recommender.load(b).recommend(List.of("5", "17"), 5).items();
            for (int i = 0; i < 5; i++) {
                assertEquals(expected.get(i).rawId(), body.get("items").get(i).get("item").asText(),
                        "served by the model Python promoted");
            }
        } finally {
            reg.close();
        }
    }

    private static String runPython(String python, String script, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(python, "-c", script));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "python timed out");
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
