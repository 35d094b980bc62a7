package io.eimf.mlflow.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.cli.EimfException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalFileStoreTest {
    @TempDir
    Path dir;

    @Test
    void writesMlflowsFileStoreLayout() throws Exception {
        LocalFileStore s = new LocalFileStore(dir);
        assertEquals("0", s.experiment("Default"));
        String exp = s.experiment("eimf");
        assertTrue(exp.matches("[0-9]+"), exp);
        assertEquals(exp, s.experiment("eimf"), "same name, same experiment");

        String expMeta = Files.readString(dir.resolve(exp).resolve("meta.yaml"));
        assertTrue(expMeta.contains("experiment_id: \"" + exp + "\""), "ids stay strings: " + expMeta);
        assertTrue(expMeta.contains("lifecycle_stage: active") && expMeta.contains("name: eimf")
                && expMeta.contains("artifact_location: file:"), expMeta);
        assertTrue(expMeta.indexOf("artifact_location") < expMeta.indexOf("creation_time")
                && expMeta.indexOf("last_update_time") < expMeta.indexOf("name:"), "keys sorted as safe_dump: " + expMeta);

        String run = s.createRun(exp, "train", 1_700_000_000_000L, Map.of("eimf.backend", "nd4j-native"));
        assertTrue(run.matches("[0-9a-f]{32}"), run);
        Path rd = dir.resolve(exp).resolve(run);
        Map<String, Object> meta = MlflowYaml.read(rd.resolve("meta.yaml"));
        assertEquals(run, meta.get("run_id"));
        assertEquals(run, meta.get("run_uuid"));
        assertEquals(exp, meta.get("experiment_id"));
        assertEquals(1, meta.get("status"), "RUNNING is 1 in the file store");
        assertEquals(4, meta.get("source_type"), "SourceType.LOCAL");
        assertEquals(null, meta.get("end_time"));
        assertEquals(List.of(), meta.get("tags"));
        assertEquals("file://" + rd.resolve("artifacts"), meta.get("artifact_uri"));
        assertEquals("train", Files.readString(rd.resolve("tags/mlflow.runName")));

        s.logParam(run, "model.K", "4");
        assertEquals("4", Files.readString(rd.resolve("params/model.K")), "param file holds the bare value");
        s.logMetric(run, "test.recall_at_50", 0.25, 1_700_000_000_123L, 3);
        s.logMetric(run, "test.recall_at_50", 0.5, 1_700_000_000_456L, 4);
        s.logMetric(run, "loss/train", 1e-5, 1_700_000_000_789L, 0);
        assertEquals(List.of("1700000000123 0.25 3", "1700000000456 0.5 4"),
                Files.readAllLines(rd.resolve("metrics/test.recall_at_50")));
        assertTrue(Files.isRegularFile(rd.resolve("metrics/loss/train")), "a / in a key is a folder, as in MLflow");

        s.endRun(run, RunStatus.FINISHED, 1_700_000_001_000L);
        Map<String, Object> ended = MlflowYaml.read(rd.resolve("meta.yaml"));
        assertEquals(3, ended.get("status"));
        assertEquals(1_700_000_001_000L, ((Number) ended.get("end_time")).longValue());

        LocalRun back = new LocalFileStore(dir).readRun(run);
        assertEquals("eimf", back.experimentName());
        assertEquals(RunStatus.FINISHED, back.status());
        assertEquals(Map.of("model.K", "4"), back.params());
        assertEquals("nd4j-native", back.tags().get("eimf.backend"));
        assertEquals(0.5, back.latestMetrics().get("test.recall_at_50"));
        assertEquals(1e-5, back.latestMetrics().get("loss/train"));
        assertEquals(2, back.metrics().get("test.recall_at_50").size());
        assertEquals(List.of(run), new LocalFileStore(dir).runIds());
    }

    @Test
    void paramsAreImmutableAndKeysChecked() throws Exception {
        LocalFileStore s = new LocalFileStore(dir);
        String run = s.createRun(s.experiment("e"), "r", 1L, Map.of());
        s.logParam(run, "lr", "0.1");
        s.logParam(run, "lr", "0.1"); // same value: fine, as in MLflow
        EimfException e = assertThrows(EimfException.class, () -> s.logParam(run, "lr", "0.2"));
        assertTrue(e.getMessage().contains("'lr'") && e.getMessage().contains("0.2"), e.getMessage());
        assertThrows(EimfException.class, () -> s.logMetric(run, "recall@50", 1, 1, 1), "@ is not allowed by MLflow");
        assertThrows(EimfException.class, () -> s.readRun("0123456789abcdef0123456789abcdef"));
    }

    @Test
    void malformedMetricLineNamesFileAndLine() throws Exception {
        LocalFileStore s = new LocalFileStore(dir);
        String run = s.createRun(s.experiment("e"), "r", 1L, Map.of());
        s.logMetric(run, "loss", 1.0, 10, 0);
        Path f = s.runDir(run).resolve("metrics/loss");
        Files.writeString(f, "10 1.0 0\n11 oops 1\n");
        EimfException e = assertThrows(EimfException.class, () -> s.readRun(run));
        assertTrue(e.getMessage().contains("metrics/loss:2"), e.getMessage());
    }

    @Test
    void nonFiniteValuesRoundTrip() throws Exception {
        LocalFileStore s = new LocalFileStore(dir);
        String run = s.createRun(s.experiment("e"), "r", 1L, Map.of());
        s.logMetric(run, "x", Double.NaN, 1, 0);
        s.logMetric(run, "x", Double.POSITIVE_INFINITY, 2, 1);
        assertEquals(List.of("1 nan 0", "2 inf 1"), Files.readAllLines(s.runDir(run).resolve("metrics/x")));
        assertTrue(Double.isInfinite(s.readRun(run).latestMetrics().get("x")));
    }

    @Test
    void tornMetricTailIsDroppedReportedAndCutBeforeTheNextAppend() throws Exception {
        LocalFileStore s = new LocalFileStore(dir);
        String run = s.createRun(s.experiment("eimf"), "torn", 1_700_000_000_000L, Map.of());
        s.logMetric(run, "loss", 0.5, 1000L, 1);
        s.logMetric(run, "loss", 0.25, 1001L, 2);
        Path f = s.runDir(run).resolve("metrics").resolve("loss");
        // a kill mid-append: "1002 0.125 3\n" cut after "1002 0.1" would otherwise read as value 0.1 at step 0
        Files.writeString(f, "1002 0.1", java.nio.file.StandardOpenOption.APPEND);
        LocalRun r = s.readRun(run);
        assertEquals(List.of(0.5, 0.25), r.metrics().get("loss").stream().map(MetricPoint::value).toList());
        assertEquals(1, r.droppedTails().size());
        assertTrue(r.droppedTails().get(0).contains("loss") && r.droppedTails().get(0).contains("'1002 0.1'"),
                r.droppedTails().toString());

        LocalFileStore next = new LocalFileStore(dir); // the process that carries on after the kill
        next.logMetric(run, "loss", 0.125, 1003L, 3);
        next.logMetric(run, "loss", 0.0625, 1004L, 4);
        assertEquals("1000 0.5 1\n1001 0.25 2\n1003 0.125 3\n1004 0.0625 4\n", Files.readString(f));
        assertEquals(List.of(), s.readRun(run).droppedTails());

        Files.writeString(f, "1000 0.5 1\nnot a line\n1003 0.125 3\n");
        CorruptRunException e = assertThrows(CorruptRunException.class, () -> s.readRun(run));
        assertTrue(e.getMessage().contains("loss:2:"), e.getMessage());
    }
}
