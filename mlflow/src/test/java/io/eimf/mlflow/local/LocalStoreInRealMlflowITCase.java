package io.eimf.mlflow.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.mlflow.testing.Fixtures;
import io.eimf.mlflow.testing.PythonMlflow;
import io.eimf.mlflow.tracking.RunTags;
import io.eimf.mlflow.tracking.RunTracker;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;

/**
 * The local store EIMF writes without a server (MLflow's file-store layout, e.g. {@code eimf-work/mlruns}) opened by
 * the real MLflow of both pinned lines: {@code mlflow.search_runs} and {@code mlflow ui --backend-store-uri} serving
 * it (its REST API, which the UI pages call, and the UI page itself). MLflow 2.x opens the folder as it is. MLflow 3.x
 * (3.18) refuses a file store ("maintenance mode") unless {@code MLFLOW_ALLOW_FILE_STORE=true}; with it, it reads
 * EIMF's folder, and its own {@code mlflow migrate-filestore} turns the folder into a SQLite store that it opens
 * without the opt-out. Both ways are proven here.
 */
class LocalStoreInRealMlflowITCase {
    /** MLflow 3.x. */
    @Nested
    class Mlflow3 extends Checks {
        Mlflow3() {
            super("EIMF_MLFLOW3_PYTHON");
        }
    }

    /** MLflow 2.x. */
    @Nested
    class Mlflow2 extends Checks {
        Mlflow2() {
            super("EIMF_MLFLOW2_PYTHON");
        }
    }

    abstract static class Checks {
        /** MLflow 3's opt-out of its refusal to open a file store; MLflow 2 ignores it. */
        static final Map<String, String> ALLOW_FILE_STORE = Map.of("MLFLOW_ALLOW_FILE_STORE", "true");
        private final String pythonVar;
        @TempDir
        Path tmp;

        Checks(String pythonVar) {
            this.pythonVar = pythonVar;
        }

        private String recordOffline(Path store) throws Exception {
            try (RunTracker t = RunTracker.builder(store).experiment("offline-exp").build()) {
                return Fixtures.trainingRun(t, "offline-run", 0.1, tmp).runId();
            }
        }

        @Test
        void searchRunsReadsTheLocalStore() throws Exception {
            PythonMlflow py = PythonMlflow.fromEnv(pythonVar);
            Path store = tmp.resolve("eimf-work/mlruns");
            String id = recordOffline(store);
            assertRunRead(py.check(ALLOW_FILE_STORE, "local-store", store.toString()), id);
            if (pythonVar.equals("EIMF_MLFLOW3_PYTHON")) {
                // MLflow 3's way off the file store: its migration reads EIMF's folder into SQLite losslessly.
                String db = "sqlite:///" + tmp.resolve("migrated.db").toAbsolutePath();
                py.cli("migrate-filestore", "--source", store.getParent().toString(), "--target", db);
                assertRunRead(py.check("local-store", db), id);
            }
        }

        private void assertRunRead(JsonNode r, String id) {
            assertTrue(r.path("experiments").toString().contains("\"offline-exp\""), r.path("experiments").toString());
            assertEquals(2, r.path("runs").size(), "the run and its nested evaluation run: " + r.path("runs"));
            JsonNode run = null;
            for (JsonNode x : r.path("runs")) if (x.path("run_id").asText().equals(id)) run = x;
            assertTrue(run != null, "run " + id + " not found by mlflow " + r.path("mlflow_version"));
            assertEquals("offline-run", run.path("name").asText());
            assertEquals("FINISHED", run.path("status").asText());
            assertEquals("ComiRec-SA", run.path("params").path("model.backbone").asText());
            assertEquals(0.1, run.path("metrics").path("test.recall_at_50").asDouble(), 1e-12);
            assertEquals("sha256:abc123", run.path("tags").path(RunTags.DATA_HASH).asText());
            String arts = run.path("artifacts").toString();
            assertTrue(arts.contains("\"model/MLmodel\"") && arts.contains("\"model/weights/item_embeddings.bin\"")
                    && arts.contains("\"metrics.json\""), arts);
        }

        @Test
        void mlflowUiServesTheLocalStore() throws Exception {
            PythonMlflow py = PythonMlflow.fromEnv(pythonVar);
            Path store = tmp.resolve("eimf-work/mlruns");
            String id = recordOffline(store);
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            try (PythonMlflow.Server ui = py.ui(port, store.toAbsolutePath().toString(), tmp.resolve("ui.log"),
                    ALLOW_FILE_STORE); MlflowClient c = new MlflowClient(ui.uri())) {
                String exp = c.getExperimentByName("offline-exp").orElseThrow().getExperimentId();
                List<Service.RunInfo> runs = c.searchRuns(List.of(exp), "attributes.run_name = 'offline-run'");
                assertEquals(1, runs.size());
                assertEquals(id, runs.get(0).getRunId());
                assertEquals(3, c.getMetricHistory(id, "test.recall_at_50").size());
                // Artifacts through the server's REST (mlflow-client would shell out to Python for a file: store).
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(ui.uri()
                        + "/api/2.0/mlflow/artifacts/list?run_id=" + id + "&path=model")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, list.statusCode(), list.body());
                assertTrue(list.body().contains("\"model/MLmodel\"") && list.body().contains("\"model/weights\""), list.body());
                HttpResponse<String> page = http.send(
                        HttpRequest.newBuilder(URI.create(ui.uri() + "/")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, page.statusCode());
                assertTrue(page.body().contains("<html") || page.body().contains("<!doctype"), "the UI page is served");
            }
        }
    }
}
