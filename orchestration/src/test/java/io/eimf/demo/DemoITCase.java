package io.eimf.demo;

import static io.eimf.pipeline.testing.Pipelines.eimf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.testing.RealSystems;
import io.eimf.pipeline.testing.Pipelines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code eimf demo} end to end on a small synthetic data set: Flink mini-cluster prepare, training in a child JVM,
 * MLflow records in a local store, registration and promotion; then a second run reuses every task. The same demo
 * against a real MLflow server ({@code EIMF_MLFLOW_TEST_URI}) prints the same metrics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoITCase {
    private static final String[] ARGS = {"demo", "--users", "200", "--steps", "60", "--resources", "cpu=2,memory=6g"};
    private Path tmp;
    private Pipelines.Run embedded;

    /** The embedded demo, run once and shared by both tests (a run costs minutes on the 2-core VM). */
    private synchronized Pipelines.Run embedded() throws Exception {
        if (embedded == null) {
            tmp = Files.createTempDirectory("eimf-demo-it");
            embedded = eimf(with(ARGS, "--work", tmp.resolve("work").toString()));
        }
        return embedded;
    }

    private Path embeddedTmp() {
        return tmp;
    }

    private static String[] with(String[] a, String... more) {
        String[] out = java.util.Arrays.copyOf(a, a.length + more.length);
        System.arraycopy(more, 0, out, a.length, more.length);
        return out;
    }

    /** The metric columns of the IBIM and EIMF rows (the MLflow run ids and the registry column differ). */
    private static List<String> metricRows(String out) {
        return out.lines().filter(l -> l.startsWith("IBIM ") || l.startsWith("EIMF "))
                .map(l -> {
                    String[] f = l.trim().split("\\s+");
                    return f.length < 7 ? l : String.join(" ", f[0], f[2], f[3], f[4], f[5], f[6]);
                }).toList();
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (tmp != null) io.eimf.core.io.AtomicOutput.deleteRecursively(tmp);
    }

    @Test
    void demoRunsTrainsRegistersPromotesAndResumes() throws Exception {
        Pipelines.Run r = embedded();
        assertEquals(0, r.code(), r.err() + r.out());
        String out = r.out();
        assertTrue(out.contains("protocol: full-ranking"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("IBIM ") && l.contains("@champion")), out);
        assertTrue(out.contains("champion: models:/eimf@champion -> version 1"), out);
        assertTrue(out.contains("serve it: eimf serve --model models:/eimf@champion --local "), out);
        // Without the clustering and extraction modules EIMF is reported, not faked.
        boolean eimfAvailable = out.lines().anyMatch(l -> l.startsWith("EIMF ") && !l.contains("unavailable"));
        if (!eimfAvailable) {
            assertTrue(out.contains("EIMF   unavailable: task train-eimf needs "), out);
            assertTrue(out.contains("is not available in this build"), out);
            assertTrue(out.contains("LLM (ESIM interest naming): no calls: "), out);
        }

        Pipelines.Run again = eimf(with(ARGS, "--work", tmp.resolve("work").toString()));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("train-ibim     cached"), again.err());
        assertTrue(again.out().contains("champion: models:/eimf@champion -> version 1"), again.out());
    }

    @Test
    void againstARealMlflowServerTheDemoPrintsTheSameMetrics() throws Exception {
        String uri = RealSystems.env("EIMF_MLFLOW_TEST_URI", "MLflow 3.x server (source .ci/services/20-mlflow.sh)");
        Pipelines.Run local = embedded();
        assertEquals(0, local.code(), local.err());
        Path work = embeddedTmp().resolve("real-work");
        Pipelines.Run real = eimf(with(ARGS, "--work", work.toString(), "--tracking-uri", uri));
        assertEquals(0, real.code(), real.err() + real.out());
        assertTrue(real.out().contains("champion: models:/eimf@champion -> version ") && real.out().contains(" in " + uri),
                real.out());
        assertTrue(real.out().lines().anyMatch(l -> l.startsWith("IBIM ") && l.contains("@champion")), real.out());
        List<String> expected = metricRows(local.out());
        assertTrue(!expected.isEmpty(), local.out());
        assertEquals(expected, metricRows(real.out()), "same data, same seeds: the server changes no number");
    }
}
