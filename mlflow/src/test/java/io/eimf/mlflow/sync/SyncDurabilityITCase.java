package io.eimf.mlflow.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.testing.ChildJvm;
import io.eimf.mlflow.local.LocalFileStore;
import io.eimf.mlflow.local.LocalRun;
import io.eimf.mlflow.rest.MlflowServer;
import io.eimf.mlflow.testing.FaultProxy;
import io.eimf.mlflow.testing.Fixtures;
import io.eimf.mlflow.testing.MlflowDouble;
import io.eimf.mlflow.tracking.RunTags;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;

/**
 * {@code eimf mlflow sync} against files torn by kills and killed itself: a torn or corrupt run does not keep the
 * others off the server, and a sync SIGKILLed mid-upload, several times, then run to the end leaves the server with
 * exactly what an uninterrupted sync leaves (no duplicate run, metric point or artifact).
 */
class SyncDurabilityITCase {
    @TempDir
    Path tmp;

    /** A store of {@code n} finished runs, each with metrics, params, tags and a few artifact files. */
    static List<String> store(Path root, int n, int points) throws Exception {
        LocalFileStore s = new LocalFileStore(root);
        String exp = s.experiment("durability");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String run = s.createRun(exp, "run-" + i, 1_700_000_000_000L + i, Map.of(RunTags.DATA_HASH, "sha256:" + i));
            for (int p = 0; p < 3; p++) s.logParam(run, "p" + p, String.valueOf(p * i));
            for (int step = 0; step < points; step++) s.logMetric(run, "loss", 1.0 / (step + 1 + i), 1_000L + step, step);
            for (int a = 0; a < 4; a++) {
                Path f = s.artifactsDir(run).resolve("files").resolve("a" + a + ".txt");
                Files.createDirectories(f.getParent());
                Files.writeString(f, "run " + i + " artifact " + a);
            }
            s.endRun(run, io.eimf.mlflow.local.RunStatus.FINISHED, 1_700_000_100_000L + i);
            ids.add(run);
        }
        return ids;
    }

    @Test
    void aTornRunIsSyncedWithoutItsTornLineAndACorruptOneDoesNotStopTheOthers() throws Exception {
        Path root = tmp.resolve("store");
        List<String> ids = store(root, 3, 4);
        LocalFileStore s = new LocalFileStore(root);
        Path torn = s.runDir(ids.get(0)).resolve("metrics").resolve("loss");
        Files.writeString(torn, "1004 0.0", StandardOpenOption.APPEND);
        Path corrupt = s.runDir(ids.get(1)).resolve("metrics").resolve("loss");
        Files.writeString(corrupt, "garbage\n1005 0.1 5\n", StandardOpenOption.APPEND);
        try (MlflowDouble dbl = new MlflowDouble()) {
            Fixtures.CliResult r = Fixtures.eimf("mlflow", "sync", "--local", root.toString(), "--tracking-uri", dbl.uri());
            assertEquals(1, r.exit(), r.err());
            assertTrue(r.err().contains("loss:5:"), "the corrupt run is named with file and line: " + r.err());
            assertTrue(r.err().contains("torn last line '1004 0.0'"), "the dropped torn line is reported: " + r.err());
            assertEquals(2, dbl.runCount(), "the torn run and the healthy one reached the server");
            try (MlflowClient c = new MlflowClient(dbl.uri())) {
                String remote = new LocalFileStore(root).readRun(ids.get(0)).tags().get(RunTags.REMOTE_RUN_ID);
                assertEquals(4, c.getMetricHistory(remote, "loss").size(), "the four whole points, not the torn one");
            }
        }
    }

    @Test
    void syncKilledMidUploadSeveralTimesThenCompletedEqualsOneUninterruptedSync() throws Exception {
        Path root = tmp.resolve("store");
        store(root, 6, 30);
        Path reference = tmp.resolve("reference");
        store(reference, 6, 30);
        Path log = tmp.resolve("child.log");
        try (MlflowDouble dbl = new MlflowDouble(); FaultProxy slow = new FaultProxy(dbl.uri());
             MlflowDouble refDbl = new MlflowDouble()) {
            slow.setDelayMillis(25);
            Random rnd = new Random(20261208);
            int kills = 0;
            int seen = 0;
            for (int round = 0; round < 3; round++) {
                Process c = ChildJvm.eimf(log, Map.of(), List.of(), "mlflow", "sync", "--local", root.toString(),
                        "--tracking-uri", slow.uri());
                int target = seen + 5 + rnd.nextInt(15);
                boolean reached = ChildJvm.awaitCondition(c, Duration.ofMinutes(1), () -> slow.requests().size() >= target);
                assertTrue(reached && c.isAlive(), "round " + round + ": sync ended before " + target + " requests\n"
                        + ChildJvm.tail(log));
                ChildJvm.kill(c);
                kills++;
                seen = slow.requests().size();
            }
            slow.setDelayMillis(0);
            Process last = ChildJvm.eimf(log, Map.of(), List.of(), "mlflow", "sync", "--local", root.toString(),
                    "--tracking-uri", slow.uri());
            assertEquals(0, ChildJvm.await(last, Duration.ofMinutes(1), log), ChildJvm.tail(log));
            Fixtures.CliResult ref = Fixtures.eimf("mlflow", "sync", "--local", reference.toString(), "--tracking-uri",
                    refDbl.uri());
            assertEquals(0, ref.exit(), ref.err());

            assertEquals(3, kills);
            assertEquals(refDbl.runCount(), dbl.runCount(), "no run was created twice");
            LocalFileStore got = new LocalFileStore(root);
            LocalFileStore want = new LocalFileStore(reference);
            Map<String, String> refByName = new java.util.HashMap<>();
            for (String id : want.runIds()) refByName.put(want.readRun(id).runName(), id);
            try (MlflowServer a = new MlflowServer(dbl.uri()); MlflowServer b = new MlflowServer(refDbl.uri());
                 MlflowClient ca = new MlflowClient(dbl.uri()); MlflowClient cb = new MlflowClient(refDbl.uri())) {
                for (String id : got.runIds()) {
                    LocalRun lr = got.readRun(id);
                    String ida = lr.tags().get(RunTags.REMOTE_RUN_ID);
                    String idb = want.readRun(refByName.get(lr.runName())).tags().get(RunTags.REMOTE_RUN_ID);
                    Service.Run ra = a.getRun(ida);
                    Service.Run rb = b.getRun(idb);
                    assertEquals(rb.getInfo().getStatus(), ra.getInfo().getStatus(), lr.runName());
                    assertEquals(rb.getData().getParamsList(), ra.getData().getParamsList(), lr.runName());
                    assertEquals(rb.getData().getMetricsList(), ra.getData().getMetricsList(), lr.runName());
                    assertEquals(cb.getMetricHistory(idb, "loss"), ca.getMetricHistory(ida, "loss"),
                            lr.runName() + ": every point exactly once");
                    for (int f = 0; f < 4; f++) {
                        Path x = tmp.resolve("a" + f);
                        Path y = tmp.resolve("b" + f);
                        a.download(a.artifactRoot(ida) + "/files/a" + f + ".txt", x);
                        b.download(b.artifactRoot(idb) + "/files/a" + f + ".txt", y);
                        assertEquals(Files.readString(y), Files.readString(x));
                    }
                }
            }
        }
    }
}
