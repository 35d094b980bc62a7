package io.eimf.mlflow.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.mlflow.local.LocalFileStore;
import io.eimf.mlflow.rest.MlflowRestClient;
import io.eimf.mlflow.rest.MlflowServer;
import io.eimf.mlflow.testing.FaultProxy;
import io.eimf.mlflow.testing.Fixtures;
import io.eimf.mlflow.testing.Fixtures.CliResult;
import io.eimf.mlflow.testing.PythonMlflow;
import io.eimf.mlflow.tracking.RunTags;
import io.eimf.mlflow.tracking.RunTracker;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.tracking.MlflowClient;

/**
 * {@code eimf mlflow sync} of an offline run into a real MLflow 3.x server (its own process, SQLite store,
 * {@code --serve-artifacts}) that is killed (SIGKILL) in the middle of the artifact uploads and restarted on the same
 * store: the interrupted sync fails cleanly, the next one finishes the job without duplicating the run, the logged
 * model or a metric point, every byte arrives, and one more sync sends nothing.
 */
class SyncAcrossServerRestartITCase {
    @TempDir
    Path tmp;

    @Test
    void syncSurvivesAServerRestartMidSyncAndIsIdempotent() throws Exception {
        PythonMlflow py = PythonMlflow.fromEnv("EIMF_MLFLOW3_PYTHON");
        Path store = tmp.resolve("offline");
        String localId;
        int files = 80;
        try (RunTracker t = RunTracker.builder(store).experiment("restart").build()) {
            localId = Fixtures.trainingRun(t, "restart-run", 0.1, tmp).runId();
            // Many small artifacts, so the kill lands between two uploads of the same run.
            Random rnd = new Random(3);
            Path blobs = Files.createDirectories(t.store().artifactsDir(localId).resolve("blobs"));
            for (int i = 0; i < files; i++) {
                byte[] b = new byte[20_000];
                rnd.nextBytes(b);
                Files.write(blobs.resolve(String.format("part-%03d.bin", i)), b);
            }
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = Files.createDirectories(tmp.resolve("server"));
        List<String> storeArgs = List.of("--backend-store-uri", "sqlite:///" + data.resolve("mlflow.db"),
                "--serve-artifacts", "--artifacts-destination", data.resolve("artifacts").toString());
        // Whichever server process is current is stopped at the end, also when an assertion fails.
        PythonMlflow.Server[] server = {py.server(port, storeArgs, tmp.resolve("server-1.log"))};
        try (FaultProxy proxy = new FaultProxy(server[0].uri())) {
            String[] conn = {"mlflow", "sync", "--local", store.toString(), "--tracking-uri", proxy.uri()};
            CompletableFuture<CliResult> first = CompletableFuture.supplyAsync(() -> Fixtures.eimf(conn));
            long deadline = System.currentTimeMillis() + 120_000;
            while (proxy.count("PUT", ".bin") < 20 && !first.isDone() && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(!first.isDone(), "the sync ended before the kill: " + (first.isDone() ? first.join().out() : ""));
            server[0].kill();
            CliResult interrupted = first.join();
            assertEquals(1, interrupted.exit(), "a sync whose server died fails: " + interrupted.out());

            server[0] = py.server(port, storeArgs, tmp.resolve("server-2.log"));
            CliResult resumed = Fixtures.eimf(conn);
            assertEquals(0, resumed.exit(), resumed.err());
            assertTrue(!resumed.out().contains("artifact files 0,"), "the resumed sync uploaded the rest: " + resumed.out());
            proxy.clear();
            CliResult again = Fixtures.eimf(conn);
            assertEquals(0, again.exit(), again.err());
            assertTrue(again.out().contains("nothing sent"), again.out());
            assertEquals(0, proxy.writes(), "the third sync changed nothing: " + proxy.requests());
            checkServer(server[0].uri(), store, localId, files);
        } finally {
            server[0].close();
        }
    }

    private void checkServer(String uri, Path store, String localId, int files) throws Exception {
        try (MlflowServer s = new MlflowServer(uri); MlflowClient c = new MlflowClient(uri)) {
            LocalFileStore local = new LocalFileStore(store);
            String remoteId = local.readRun(localId).tags().get(RunTags.REMOTE_RUN_ID);
            String exp = s.getRun(remoteId).getInfo().getExperimentId();
            assertEquals(2, c.searchRuns(List.of(exp), "").size(), "the run and its nested run, once each");
            assertEquals(3, c.getMetricHistory(remoteId, "test.recall_at_50").size(), "no metric point doubled");
            String blobs = s.artifactRoot(remoteId) + "/blobs";
            List<MlflowRestClient.ArtifactEntry> listed = s.list(blobs);
            assertEquals(files, listed.size(), "every blob arrived");
            for (MlflowRestClient.ArtifactEntry e : listed) {
                Path back = tmp.resolve("back-" + e.name());
                s.download(blobs + "/" + e.name(), back);
                assertArrayEquals(Files.readAllBytes(local.artifactsDir(localId).resolve("blobs").resolve(e.name())),
                        Files.readAllBytes(back), e.name());
            }
            String found = s.rest().post("mlflow/logged-models/search", MlflowRestClient.body("experiment_ids",
                    List.of(exp), "filter", "source_run_id = '" + remoteId + "'")).path("models").toString();
            assertEquals(2, found.split("\"model_id\"").length, "one logged model: " + found);
            assertTrue(found.contains("LOGGED_MODEL_READY"), found);
        }
    }
}
