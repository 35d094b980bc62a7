package io.eimf.mlflow.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.mlflow.local.LocalFileStore;
import io.eimf.mlflow.registry.ModelRegistry;
import io.eimf.mlflow.registry.ModelVersionInfo;
import io.eimf.mlflow.registry.RemoteModelRegistry;
import io.eimf.mlflow.rest.MlflowApiException;
import io.eimf.mlflow.rest.MlflowRestClient;
import io.eimf.mlflow.rest.MlflowServer;
import io.eimf.mlflow.testing.FaultProxy;
import io.eimf.mlflow.testing.Fixtures;
import io.eimf.mlflow.testing.Fixtures.CliResult;
import io.eimf.mlflow.tracking.RunTags;
import io.eimf.mlflow.tracking.RunTracker;
import io.eimf.mlflow.tracking.TrackedRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;

/**
 * The one contract every MLflow endpoint EIMF talks to must meet, run against the strict in-JVM double
 * ({@link DoubleContractTest}) and a real MLflow 2.17.2 server ({@link RealServerContractITCase}). Each test talks
 * through a {@link FaultProxy}, which counts requests and injects "applied, then 503" failures and outages.
 */
public abstract class MlflowContract {
    /** The server under test (http://host:port, serving artifacts). */
    protected abstract String serverUri();

    /**
     * Whether the server under test is MLflow 3.x, where a model is a logged model holding its own files (not the
     * run's {@code model/} folder) and {@code runs/log-model} is not used.
     */
    protected boolean mlflow3() {
        return false;
    }

    /** The proxy path of the folder holding the "model" of server run {@code remoteRunId}, per server line. */
    protected static String modelRoot(MlflowServer s, String remoteRunId, boolean v3) {
        if (!v3) return s.artifactRoot(remoteRunId) + "/model";
        String exp = s.getRun(remoteRunId).getInfo().getExperimentId();
        MlflowServer.LoggedModel lm = s.findLoggedModel(exp, remoteRunId, "model").orElseThrow(
                () -> new AssertionError("no logged model 'model' for run " + remoteRunId));
        return MlflowServer.proxiedPath(lm.artifactUri(), lm.modelId());
    }

    @TempDir
    protected Path tmp;
    protected FaultProxy proxy;
    /** Unique per test so a shared real server never mixes tests. */
    protected String unique;

    @BeforeEach
    void startProxy() throws Exception {
        proxy = new FaultProxy(serverUri());
        unique = UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void stopProxy() {
        if (proxy != null) proxy.close();
    }

    private RunTracker tracker(String uri, PrintStream log) {
        return RunTracker.builder(tmp.resolve("mlruns")).trackingUri(uri).experiment("contract-" + unique)
                .flushInterval(Duration.ZERO).log(log).build();
    }

    private static MlflowServer server(String uri) {
        return new MlflowServer(uri, new io.eimf.mlflow.rest.RetryPolicy(4, Duration.ofMillis(20), Duration.ofMillis(100)));
    }

    @Test
    void liveRunArrivesWithParamsMetricsTagsNestingArtifactsAndLoggedModel() throws Exception {
        String localId;
        String childLocal;
        try (RunTracker t = tracker(proxy.uri(), System.err)) {
            TrackedRun run = Fixtures.trainingRun(t, "live-" + unique, 0.1, tmp);
            localId = run.runId();
            childLocal = t.store().runIds().stream().filter(id -> !id.equals(localId)).findFirst().orElseThrow();
            assertEquals(0, t.pendingRuns(), "every record was acknowledged");
        }
        LocalFileStore local = new LocalFileStore(tmp.resolve("mlruns"));
        String remoteId = local.readRun(localId).tags().get(RunTags.REMOTE_RUN_ID);
        String childRemote = local.readRun(childLocal).tags().get(RunTags.REMOTE_RUN_ID);
        try (MlflowServer s = server(serverUri()); MlflowClient c = new MlflowClient(serverUri())) {
            Service.Run r = s.getRun(remoteId);
            assertEquals(Service.RunStatus.FINISHED, r.getInfo().getStatus());
            Map<String, String> params = r.getData().getParamsList().stream()
                    .collect(Collectors.toMap(Service.Param::getKey, Service.Param::getValue));
            assertEquals("ComiRec-SA", params.get("model.backbone"));
            assertEquals("bpr", params.get("train.losses.0"));
            Map<String, Double> metrics = r.getData().getMetricsList().stream()
                    .collect(Collectors.toMap(Service.Metric::getKey, Service.Metric::getValue));
            assertEquals(0.1, metrics.get("test.recall_at_50"), 1e-12);
            assertEquals(120.0, metrics.get("llm.calls"));
            assertEquals(3, c.getMetricHistory(remoteId, "test.recall_at_50").size(), "one point per evaluation step");
            Map<String, String> tags = r.getData().getTagsList().stream()
                    .collect(Collectors.toMap(Service.RunTag::getKey, Service.RunTag::getValue));
            assertEquals(localId, tags.get(RunTags.LOCAL_RUN_ID));
            assertEquals("sha256:abc123", tags.get(RunTags.DATA_HASH));
            assertEquals("llama-2-tiny", tags.get(RunTags.SEMANTIC_MODEL));
            assertEquals(mlflow3(), s.loggedModels(), "capability probe matches the server line");
            if (!mlflow3()) {
                assertTrue(tags.get(RunTags.LOG_MODEL_HISTORY).contains("eimf_ibim"), "runs/log-model recorded the model");
                assertFalse(tags.get(RunTags.LOG_MODEL_HISTORY).contains("python_function"));
            } else {
                MlflowServer.LoggedModel lm = s.findLoggedModel(r.getInfo().getExperimentId(), remoteId, "model")
                        .orElseThrow();
                assertEquals("LOGGED_MODEL_READY", lm.status());
                assertEquals(remoteId, lm.sourceRunId());
                com.fasterxml.jackson.databind.JsonNode got = s.rest().get("mlflow/runs/get", Map.of("run_id", remoteId));
                assertEquals(lm.modelId(), got.path("run").path("outputs").path("model_outputs").path(0).path("model_id")
                        .asText(), "the logged model is an output of its run: " + got.path("run").path("outputs"));
            }
            Service.Run child = s.getRun(childRemote);
            assertEquals(remoteId, child.getData().getTagsList().stream()
                    .filter(x -> x.getKey().equals(RunTags.PARENT_RUN_ID)).findFirst().orElseThrow().getValue(),
                    "nested run points at the server id of its parent");
            String root = s.artifactRoot(remoteId);
            List<String> top = s.list(root).stream().map(MlflowRestClient.ArtifactEntry::name).toList();
            assertTrue(top.containsAll(List.of("config", "curves", "metrics.json")), "artifacts: " + top);
            assertEquals(!mlflow3(), top.contains("model"), "MLflow 3 keeps the model's files under the model: " + top);
            Path ml = tmp.resolve("MLmodel.remote");
            String modelRoot = modelRoot(s, remoteId, mlflow3());
            s.download(modelRoot + "/MLmodel", ml);
            String mlmodel = Files.readString(ml);
            assertTrue(mlmodel.contains("eimf_ibim") && mlmodel.contains("run_id: " + remoteId), mlmodel);
            if (mlflow3()) assertTrue(mlmodel.contains("model_id: m-"), mlmodel);
            List<String> modelFiles = s.list(modelRoot).stream().map(MlflowRestClient.ArtifactEntry::name).sorted().toList();
            assertEquals(List.of("MLmodel", "model.json", "weights"), modelFiles);
        }
    }

    @Test
    void createRunIsNotDuplicatedWhenTheServerFailsAfterApplyingIt() throws Exception {
        try (MlflowServer s = server(proxy.uri())) {
            String exp = s.experimentId("contract-" + unique);
            proxy.failAfterForwarding("/api/2.0/mlflow/runs/create", 1);
            String key = UUID.randomUUID().toString().replace("-", "");
            String id = s.createRun(exp, "dup-check", System.currentTimeMillis(), Map.of(), key);
            assertEquals(1, proxy.count("POST", "/mlflow/runs/create"), "the create was sent once, never re-sent");
            assertEquals(id, s.findRunByKey(exp, key).orElseThrow());
            try (MlflowClient c = new MlflowClient(serverUri())) {
                assertEquals(1, c.searchRuns(List.of(exp), "").size(), "exactly one run on the server");
            }
        }
    }

    @Test
    void registeredModelAndVersionAreNotDuplicatedWhenTheServerFailsAfterApplying() throws Exception {
        String localId;
        // MLflow 3: the logged model's create is applied, then answered 503; the re-send must find it, not add one.
        proxy.failAfterForwarding("/api/2.0/mlflow/logged-models", 1);
        try (RunTracker t = tracker(proxy.uri(), System.err)) {
            localId = Fixtures.trainingRun(t, "reg-" + unique, 0.1, tmp).runId();
        }
        String remoteId = new LocalFileStore(tmp.resolve("mlruns")).readRun(localId).tags().get(RunTags.REMOTE_RUN_ID);
        if (mlflow3()) {
            try (MlflowServer s = server(serverUri())) {
                String exp = s.getRun(remoteId).getInfo().getExperimentId();
                JsonNode found = s.rest().post("mlflow/logged-models/search", MlflowRestClient.body("experiment_ids",
                        List.of(exp), "filter", "source_run_id = '" + remoteId + "'"));
                assertEquals(1, found.path("models").size(), "one logged model despite the 503: " + found);
                assertEquals(1, proxy.count("POST", "/mlflow/logged-models"), "the create was sent once");
            }
        }
        String name = "eimf-dup-" + unique;
        try (ModelRegistry reg = new RemoteModelRegistry(server(proxy.uri()))) {
            proxy.failAfterForwarding("/api/2.0/mlflow/registered-models/create", 1);
            proxy.failAfterForwarding("/api/2.0/mlflow/model-versions/create", 1);
            ModelRegistry.Created c = io.eimf.mlflow.registry.Promotions.register(reg, remoteId, "model", name);
            assertEquals("1", c.version().version());
            assertEquals(mlflow3(), c.version().source().startsWith("models:/m-"),
                    "MLflow 3 registers from the logged model: " + c.version().source());
            assertEquals(1, proxy.count("POST", "/registered-models/create"));
            assertEquals(1, proxy.count("POST", "/model-versions/create"));
            assertEquals(1, reg.versions(name).size(), "exactly one version despite the 503");
            ModelRegistry.Created again = io.eimf.mlflow.registry.Promotions.register(reg, remoteId, "model", name);
            assertFalse(again.created(), "registering the same run and path again returns the existing version");
            assertEquals(1, reg.versions(name).size());
            assertEquals("behavioral-only", c.version().tags().get("serving"));
            assertEquals("sha256:abc123", c.version().tags().get(RunTags.DATA_HASH));
            assertEquals(0.1, c.version().metricTags().get("test.recall_at_50"), 1e-12);
        }
    }

    @Test
    void syncAfterAnOfflineRunUploadsEverythingOnceAndNothingTwice() throws Exception {
        Path store = tmp.resolve("offline");
        String localId;
        try (RunTracker t = RunTracker.builder(store).experiment("contract-" + unique).build()) {
            localId = Fixtures.trainingRun(t, "offline-" + unique, 0.09, tmp).runId();
        }
        assertEquals(0, proxy.requests().size(), "an offline run makes no request");
        CliResult first = Fixtures.eimf("mlflow", "sync", "--local", store.toString(), "--tracking-uri", proxy.uri());
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.out().contains("runs created 2"), first.out());
        proxy.clear();
        CliResult second = Fixtures.eimf("mlflow", "sync", "--local", store.toString(), "--tracking-uri", proxy.uri());
        assertEquals(0, second.exit(), second.err());
        assertTrue(second.out().contains("nothing sent"), second.out());
        assertEquals(0, proxy.writes(), "second sync changed nothing: " + proxy.requests());

        LocalFileStore local = new LocalFileStore(store);
        String remoteId = local.readRun(localId).tags().get(RunTags.REMOTE_RUN_ID);
        try (MlflowServer s = server(serverUri()); MlflowClient c = new MlflowClient(serverUri())) {
            Service.Run r = s.getRun(remoteId);
            assertEquals(Service.RunStatus.FINISHED, r.getInfo().getStatus());
            assertEquals(3, c.getMetricHistory(remoteId, "test.recall_at_50").size());
            assertEquals(local.readRun(localId).startTime(), r.getInfo().getStartTime(), "start time kept from the offline run");
            Path back = tmp.resolve("back.bin");
            s.download(modelRoot(s, remoteId, mlflow3()) + "/weights/item_embeddings.bin", back);
            assertArrayEquals(Files.readAllBytes(local.artifactsDir(localId).resolve("model/weights/item_embeddings.bin")),
                    Files.readAllBytes(back));
        }
    }

    @Test
    void syncMidRunThenAgainSendsOnlyTheDelta() throws Exception {
        Path store = tmp.resolve("offline");
        try (RunTracker t = RunTracker.builder(store).experiment("contract-" + unique).build();
             MlflowServer s = server(proxy.uri()); MlflowClient c = new MlflowClient(serverUri())) {
            TrackedRun run = t.startRun("incremental-" + unique);
            run.logMetric("train.loss", 1.0, 0).logMetric("train.loss", 0.5, 1).logText("notes.txt", "v1");
            io.eimf.mlflow.sync.RunSync sync = new io.eimf.mlflow.sync.RunSync(t.store(), s);
            io.eimf.mlflow.sync.SyncReport first = sync.syncRun(run.runId());
            assertEquals(List.of(1, 2, 1, 0, 1), List.of(first.runsCreated(), first.metricPoints(), first.artifacts(),
                    first.runsEnded(), first.stillRunning()), first.toString());
            run.logMetric("train.loss", 0.25, 2).logMetric("train.loss", 0.2, 3).logMetric("train.loss", 0.1, 4);
            run.logText("notes.txt", "v2 changed");
            run.end(io.eimf.mlflow.local.RunStatus.FINISHED);
            io.eimf.mlflow.sync.SyncReport second = sync.syncRun(run.runId());
            assertEquals(List.of(0, 3, 1, 1, 0), List.of(second.runsCreated(), second.metricPoints(), second.artifacts(),
                    second.runsEnded(), second.stillRunning()), second.toString());
            String remoteId = sync.remoteRunId(run.runId());
            assertEquals(5, c.getMetricHistory(remoteId, "train.loss").size());
            Path back = tmp.resolve("notes.back");
            s.download(s.artifactRoot(remoteId) + "/notes.txt", back);
            assertEquals("v2 changed", Files.readString(back));
            assertEquals(Service.RunStatus.FINISHED, s.getRun(remoteId).getInfo().getStatus());
            assertEquals(0, sync.syncRun(run.runId()).recordsSent());
        }
    }

    @Test
    void bigRunsAreSplitIntoLogBatchesWithinMlflowsLimits() throws Exception {
        Path store = tmp.resolve("offline");
        String localId;
        try (RunTracker t = RunTracker.builder(store).experiment("contract-" + unique).build();
             TrackedRun run = t.startRun("big-" + unique)) {
            localId = run.runId();
            for (int i = 0; i < 150; i++) run.logParam("p" + i, i);
            for (int i = 0; i < 120; i++) run.setTag("t" + i, "v" + i);
            for (int step = 0; step < 1500; step++) run.logMetric("train.loss", 1.0 / (step + 1), step, 1_000_000L + step);
            run.logModel(Fixtures.modelFolder(tmp.resolve("big-model"), 5), "model", Fixtures.DESCRIPTOR);
        }
        CliResult r = Fixtures.eimf("mlflow", "sync", "--local", store.toString(), "--tracking-uri", proxy.uri());
        assertEquals(0, r.exit(), r.err());
        assertTrue(proxy.count("POST", "/mlflow/runs/log-batch") >= 2, "more than one batch: " + proxy.requests().size());
        String remoteId = new LocalFileStore(store).readRun(localId).tags().get(RunTags.REMOTE_RUN_ID);
        try (MlflowServer s = server(serverUri()); MlflowClient c = new MlflowClient(serverUri())) {
            assertEquals(1500, c.getMetricHistory(remoteId, "train.loss").size());
            Service.Run run = s.getRun(remoteId);
            assertEquals(150, run.getData().getParamsCount());
            if (mlflow3()) {
                String id = s.findLoggedModel(run.getInfo().getExperimentId(), remoteId, "model").orElseThrow().modelId();
                JsonNode lm = s.rest().get("mlflow/logged-models/" + id, Map.of()).path("model");
                assertEquals(150, lm.path("data").path("params").size(), "the logged model carries all the run's params");
            }
            assertTrue(run.getData().getTagsList().stream().filter(x -> x.getKey().matches("t[0-9]+")).count() == 120);
        }
    }

    @Test
    void aServerGoingDownMidRunLosesNothing() throws Exception {
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        String localId;
        try (RunTracker t = tracker(proxy.uri(), new PrintStream(warnings, true, StandardCharsets.UTF_8))) {
            TrackedRun run = t.startRun("outage-" + unique);
            localId = run.runId();
            for (int step = 0; step < 5; step++) run.logMetric("train.loss", 1.0 / (step + 1), step);
            proxy.setDown(true);
            for (int step = 5; step < 12; step++) run.logMetric("train.loss", 1.0 / (step + 1), step);
            run.logParam("phase", "after-outage");
            run.close();
            assertTrue(t.pendingRuns() > 0, "records are pending while the server is down");
            proxy.setDown(false);
            t.flush();
            assertEquals(0, t.pendingRuns(), "flushed on recovery");
        }
        assertTrue(warnings.toString(StandardCharsets.UTF_8).contains("cannot reach"), warnings.toString(StandardCharsets.UTF_8));
        String remoteId = new LocalFileStore(tmp.resolve("mlruns")).readRun(localId).tags().get(RunTags.REMOTE_RUN_ID);
        try (MlflowServer s = server(serverUri()); MlflowClient c = new MlflowClient(serverUri())) {
            assertEquals(12, c.getMetricHistory(remoteId, "train.loss").size(), "all 12 points, none lost, none doubled");
            Service.Run r = s.getRun(remoteId);
            assertEquals(Service.RunStatus.FINISHED, r.getInfo().getStatus());
            assertTrue(r.getData().getParamsList().stream().anyMatch(p -> p.getKey().equals("phase")));
        }
    }

    @Test
    void artifactsRoundTripByteIdentical() throws Exception {
        try (MlflowServer s = server(proxy.uri())) {
            String exp = s.experimentId("contract-" + unique);
            String runId = s.createRun(exp, "artifacts", System.currentTimeMillis(), Map.of(), UUID.randomUUID().toString());
            String root = s.artifactRoot(runId);
            byte[] big = new byte[300_000];
            new Random(7).nextBytes(big);
            Map<String, byte[]> files = new HashMap<>();
            files.put("blob.bin", big);
            files.put("dir/sub dir/notes ü.txt", "héllo, MLflow\n".getBytes(StandardCharsets.UTF_8));
            files.put("dir/empty.txt", new byte[0]);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Path p = tmp.resolve("up-" + Math.abs(f.getKey().hashCode()));
                Files.write(p, f.getValue());
                s.upload(root + "/" + f.getKey(), p);
            }
            Map<String, MlflowRestClient.ArtifactEntry> top = s.list(root).stream()
                    .collect(Collectors.toMap(MlflowRestClient.ArtifactEntry::name, e -> e));
            assertEquals(Map.of("blob.bin", false, "dir", true), top.entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().isDir())));
            assertEquals(big.length, top.get("blob.bin").size());
            List<String> sub = s.list(root + "/dir").stream().map(MlflowRestClient.ArtifactEntry::name).sorted().toList();
            assertEquals(List.of("empty.txt", "sub dir"), sub);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Path back = tmp.resolve("down-" + Math.abs(f.getKey().hashCode()));
                s.download(root + "/" + f.getKey(), back);
                assertArrayEquals(f.getValue(), Files.readAllBytes(back), f.getKey());
            }
            // MLflow 2.17's local artifact store answers a missing file with 500 (an OSError), the double with 404:
            // the contract is only that it fails and leaves nothing behind.
            MlflowApiException e = assertThrows(MlflowApiException.class,
                    () -> s.download(root + "/no-such-file", tmp.resolve("x")));
            assertTrue(e.status() == 404 || e.status() == 500, e.getMessage());
            assertFalse(Files.exists(tmp.resolve("x")));
        }
    }

    @Test
    void aliasesMoveAndTheGateRefusesAShortfall() throws Exception {
        Path store = tmp.resolve("offline");
        String good;
        String weak;
        try (RunTracker t = RunTracker.builder(store).experiment("contract-" + unique).build()) {
            good = Fixtures.trainingRun(t, "good-" + unique, 0.10, tmp).runId();
            weak = Fixtures.trainingRun(t, "weak-" + unique, 0.05, tmp).runId();
        }
        String name = "eimf-ibim-" + unique;
        String[] conn = {"--local", store.toString(), "--tracking-uri", proxy.uri()};
        CliResult r1 = Fixtures.eimf(cat(new String[] {"register", "--run-id", good, "--name", name}, conn));
        assertEquals(0, r1.exit(), r1.err());
        assertTrue(r1.out().contains("registered " + name + " version 1"), r1.out());
        CliResult r2 = Fixtures.eimf(cat(new String[] {"register", "--run-id", weak, "--name", name}, conn));
        assertTrue(r2.out().contains("version 2"), r2.out());

        CliResult p1 = Fixtures.eimf(cat(new String[] {"promote", "--name", name, "--version", "1", "--alias", "champion",
                "--require", "test.recall@50>=0.08"}, conn));
        assertEquals(0, p1.exit(), p1.err());
        assertTrue(p1.out().contains("alias champion set to version 1"), p1.out());

        CliResult refused = Fixtures.eimf(cat(new String[] {"promote", "--name", name, "--version", "2", "--alias",
                "champion", "--require", "test.recall@50>=0.08"}, conn));
        assertEquals(1, refused.exit(), "gate refusal exits 1");
        assertTrue(refused.err().contains("refusing to move alias 'champion'") && refused.err().contains("0.05")
                && refused.err().contains("alias stays on version 1"), refused.err());

        try (ModelRegistry reg = new RemoteModelRegistry(server(serverUri()))) {
            assertEquals("1", reg.aliases(name).get("champion"), "the refused promotion left the alias alone");
            assertEquals(0, Fixtures.eimf(cat(new String[] {"promote", "--name", name, "--version", "2", "--alias",
                    "challenger"}, conn)).exit());
            CliResult moved = Fixtures.eimf(cat(new String[] {"promote", "--name", name, "--version", "2", "--alias",
                    "champion", "--stage", "production"}, conn));
            assertEquals(0, moved.exit(), moved.err());
            assertTrue(moved.out().contains("moved from version 1 to 2"), moved.out());
            ModelVersionInfo champ = reg.byAlias(name, "champion").orElseThrow();
            assertEquals("2", champ.version());
            assertEquals("Production", champ.stage());
            assertTrue(champ.aliases().containsAll(List.of("champion", "challenger")), champ.aliases().toString());
        }

        CliResult list = Fixtures.eimf(cat(new String[] {"models", "list", "--name", name}, conn));
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().contains("test.recall_at_50=0.0500") && list.out().contains("champion"), list.out());

        Path cache = tmp.resolve("cache");
        CliResult res = Fixtures.eimf(cat(new String[] {"models", "resolve", "models:/" + name + "@champion",
                "--cache", cache.toString()}, conn));
        assertEquals(0, res.exit(), res.err());
        Path folder = Path.of(res.out().trim());
        assertArrayEquals(Files.readAllBytes(new LocalFileStore(store).artifactsDir(weak).resolve("model/weights/item_embeddings.bin")),
                Files.readAllBytes(folder.resolve("weights/item_embeddings.bin")), "champion is now version 2 (the weak run)");
        CliResult again = Fixtures.eimf(cat(new String[] {"models", "resolve", "models:/" + name + "/2",
                "--cache", cache.toString()}, conn));
        assertEquals(folder.toString(), again.out().trim());
        assertTrue(again.err().contains("cached and verified"), again.err());
    }

    @Test
    void unknownEndpointsAndMissingRequiredFieldsFailLoudly() throws Exception {
        MlflowRestClient c = new MlflowRestClient(proxy.uri());
        MlflowApiException notFound = assertThrows(MlflowApiException.class,
                () -> c.post("mlflow/runs/no-such-endpoint", Map.of("run_id", "x")));
        assertEquals(404, notFound.status());
        MlflowApiException missing = assertThrows(MlflowApiException.class,
                () -> c.post("mlflow/registered-models/create", Map.of("description", "no name")));
        assertEquals(400, missing.status());
        assertEquals("INVALID_PARAMETER_VALUE", missing.errorCode());
        assertNotEquals(true, missing.isTransient());
    }

    private static String[] cat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
