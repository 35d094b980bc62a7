package io.eimf.mlflow.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.io.ContentHash;
import io.eimf.core.testing.RealSystems;
import io.eimf.mlflow.local.LocalFileStore;
import io.eimf.mlflow.testing.Fixtures;
import io.eimf.mlflow.testing.Fixtures.CliResult;
import io.eimf.mlflow.testing.PythonMlflow;
import io.eimf.mlflow.tracking.RunTags;
import io.eimf.mlflow.tracking.RunTracker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-client proof with the official Python client (the {@code mlflow} package of the same version as the server):
 * what EIMF's Java side wrote to a real server is read back by Python (run, metrics, model tree, registry, aliases,
 * {@code download_artifacts("models:/NAME@champion")}, and on MLflow 3 the logged model), and a version registered
 * and an alias moved from Python is what {@code eimf models show/resolve} then sees.
 */
class PythonCrossClientITCase {
    /** MLflow 3.x server with the 3.x Python client. */
    @Nested
    class Mlflow3 extends Checks {
        Mlflow3() {
            super("EIMF_MLFLOW_TEST_URI", "EIMF_MLFLOW3_PYTHON", true);
        }
    }

    /** MLflow 2.x server with the 2.x Python client. */
    @Nested
    class Mlflow2 extends Checks {
        Mlflow2() {
            super("EIMF_MLFLOW2_TEST_URI", "EIMF_MLFLOW2_PYTHON", false);
        }
    }

    abstract static class Checks {
        private final String uriVar;
        private final String pythonVar;
        private final boolean v3;
        @TempDir
        Path tmp;
        String uri;
        PythonMlflow py;
        String unique;
        Path store;

        Checks(String uriVar, String pythonVar, boolean v3) {
            this.uriVar = uriVar;
            this.pythonVar = pythonVar;
            this.v3 = v3;
        }

        @BeforeEach
        void setUp() {
            uri = RealSystems.env(uriVar, "real MLflow server (source .ci/services/20-mlflow.sh)");
            py = PythonMlflow.fromEnv(pythonVar);
            unique = UUID.randomUUID().toString().substring(0, 8);
            store = tmp.resolve("mlruns");
        }

        /** Records a training run live to the server; returns {local id, server id}. */
        private String[] train(String name, double recall) throws Exception {
            String local;
            try (RunTracker t = RunTracker.builder(store).trackingUri(uri).experiment("xclient-" + unique)
                    .flushInterval(Duration.ZERO).build()) {
                local = Fixtures.trainingRun(t, name + "-" + unique, recall, tmp).runId();
                assertEquals(0, t.pendingRuns());
            }
            return new String[] {local, new LocalFileStore(store).readRun(local).tags().get(RunTags.REMOTE_RUN_ID)};
        }

        private CliResult eimf(String... args) {
            List<String> all = new ArrayList<>(List.of(args));
            all.addAll(List.of("--local", store.toString(), "--tracking-uri", uri));
            CliResult r = Fixtures.eimf(all.toArray(String[]::new));
            assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err());
            return r;
        }

        private String weightsSha(String localRunId) throws Exception {
            return ContentHash.ofFile(new LocalFileStore(store).artifactsDir(localRunId)
                    .resolve("model/weights/item_embeddings.bin"));
        }

        @Test
        void whatJavaWrotePythonReadsBack() throws Exception {
            String[] run = train("java", 0.1);
            String name = "xc-" + unique;
            eimf("register", "--run-id", run[0], "--name", name);
            eimf("promote", "--name", name, "--version", "1", "--alias", "champion");

            JsonNode r = py.check("read", uri, run[1], name, tmp.resolve("py-download").toString());
            String pyVersion = r.path("mlflow_version").asText();
            String serverVersion = new String(java.net.URI.create(uri + "/version").toURL().openStream().readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8).strip();
            // Named in the CI log: which MLflow this cross-client proof ran against.
            System.out.println("[real mlflow] server " + serverVersion + " at " + uri + ", Python client mlflow " + pyVersion);
            assertTrue(pyVersion.startsWith(v3 ? "3." : "2.") && serverVersion.equals(pyVersion), pyVersion + " / " + serverVersion);
            String pinned = System.getenv(v3 ? "EIMF_MLFLOW3_VERSION" : "EIMF_MLFLOW2_VERSION");
            if (pinned != null) assertEquals(pinned, serverVersion, "the pinned version runs");
            assertEquals("FINISHED", r.path("status").asText());
            assertEquals("ComiRec-SA", r.path("params").path("model.backbone").asText());
            assertEquals("bpr", r.path("params").path("train.losses.0").asText());
            assertEquals(0.1, r.path("metrics").path("test.recall_at_50").asDouble(), 1e-12);
            assertEquals(120.0, r.path("metrics").path("llm.calls").asDouble());
            assertEquals(3, r.path("recall50_history").size(), r.path("recall50_history").toString());
            assertEquals("sha256:abc123", r.path("tags").path(RunTags.DATA_HASH).asText());
            assertEquals(run[0], r.path("tags").path(RunTags.LOCAL_RUN_ID).asText());
            String arts = r.path("run_artifacts").toString();
            assertTrue(arts.contains("\"config/resolved-config.json\"") && arts.contains("\"metrics.json\"")
                    && arts.contains("\"curves/"), arts);
            assertEquals(!v3, arts.contains("\"model/MLmodel\""), "MLflow 3 keeps model files under the model: " + arts);

            assertEquals(1, r.path("versions").size());
            JsonNode champ = r.path("champion");
            assertEquals("1", champ.path("version").asText());
            assertEquals(List.of("champion"), List.of(champ.path("aliases").path(0).asText()));
            assertEquals(run[1], champ.path("run_id").asText());
            assertEquals("READY", champ.path("status").asText());
            assertEquals("behavioral-only", champ.path("tags").path("serving").asText());

            JsonNode files = r.path("downloaded");
            assertEquals(List.of("MLmodel", "model.json", "weights/item_embeddings.bin"),
                    iter(files.fieldNames()), files.toString());
            assertEquals(weightsSha(run[0]), files.path("weights/item_embeddings.bin").asText(),
                    "download_artifacts(models:/NAME@champion) gives the bytes EIMF logged");
            assertEquals("[\"eimf_ibim\"]", r.path("model_info").path("flavors").toString());
            assertEquals(run[1], r.path("model_info").path("run_id").asText());

            if (v3) {
                JsonNode lms = r.path("logged_models");
                assertEquals(1, lms.size(), lms.toString());
                JsonNode lm = lms.get(0);
                String modelId = lm.path("model_id").asText();
                assertEquals("model", lm.path("name").asText());
                assertTrue(lm.path("status").asText().contains("READY"), lm.toString());
                assertEquals(run[1], lm.path("source_run_id").asText());
                assertEquals("eimf_ibim", lm.path("model_type").asText());
                assertEquals("ComiRec-SA", lm.path("params").path("model.backbone").asText(), "the run's params: " + lm);
                assertEquals("[\"" + modelId + "\"]", r.path("run_outputs").toString(), "the model is the run's output");
                assertEquals("models:/" + modelId, champ.path("source").asText(), "registered from the logged model");
                assertEquals(modelId, r.path("model_info").path("model_id").asText());
            }
        }

        @Test
        void aVersionRegisteredAndAnAliasMovedFromPythonIsWhatEimfResolves() throws Exception {
            String[] a = train("a", 0.1);
            String[] b = train("b", 0.2);
            String name = "xcm-" + unique;
            eimf("register", "--run-id", a[0], "--name", name);
            eimf("promote", "--name", name, "--version", "1", "--alias", "champion");

            JsonNode reg = py.check("register", uri, b[1], name, "champion");
            assertEquals("2", reg.path("version").asText());
            assertEquals(b[1], reg.path("run_id").asText());
            if (v3) assertTrue(reg.path("source").asText().startsWith("models:/m-"), reg.toString());

            CliResult show = eimf("models", "show", "--name", name, "--alias", "champion");
            assertTrue(show.out().contains("version 2 ") && show.out().contains("run     " + b[1]), show.out());
            assertTrue(show.out().contains("aliases {champion=2}"), show.out());
            CliResult res = eimf("models", "resolve", "models:/" + name + "@champion", "--cache", tmp.resolve("cache").toString());
            Path folder = Path.of(res.out().trim());
            assertArrayEquals(Files.readAllBytes(new LocalFileStore(store).artifactsDir(b[0])
                    .resolve("model/weights/item_embeddings.bin")), Files.readAllBytes(folder.resolve("weights/item_embeddings.bin")),
                    "eimf resolves the version Python promoted");
        }
    }

    static List<String> iter(java.util.Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        out.sort(null);
        return out;
    }
}
