package io.eimf.demo;

import static io.eimf.pipeline.testing.Pipelines.eimf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.pipeline.testing.Pipelines;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eimf demo} end to end on a small synthetic data set: Flink mini-cluster prepare, training in a child JVM,
 * MLflow records in a local store, registration and promotion; then a second run reuses every task.
 */
class DemoITCase {
    @TempDir
    Path tmp;

    @Test
    void demoRunsTrainsRegistersPromotesAndResumes() {
        String work = tmp.resolve("work").toString();
        Pipelines.Run r = eimf("demo", "--users", "200", "--steps", "60", "--work", work, "--resources", "cpu=2,memory=6g");
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

        Pipelines.Run again = eimf("demo", "--users", "200", "--steps", "60", "--work", work, "--resources", "cpu=2,memory=6g");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("train-ibim     cached"), again.err());
        assertTrue(again.out().contains("champion: models:/eimf@champion -> version 1"), again.out());
    }
}
