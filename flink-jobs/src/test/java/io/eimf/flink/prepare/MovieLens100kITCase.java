package io.eimf.flink.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.eimf.core.cli.Eimf;
import io.eimf.core.dataset.DatasetManifest;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.testing.SharedFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eimf prepare --format ml-100k} on the real MovieLens 100K (skipped where ../shared is absent). The expected
 * counts were computed independently of EIMF, with a few lines of Python over u.data applying ComiRec's filter
 * (items with fewer than 5 ratings dropped, then users with fewer than 5 of the remaining): 943 users, 1349 items,
 * 99287 interactions of 100000.
 */
class MovieLens100kITCase {
    @TempDir
    Path dir;

    @Test
    void preparedCountsEqualComiRecFiveFilterCounts() throws Exception {
        Path ml = SharedFiles.movieLens100k().orElse(null);
        Assumptions.assumeTrue(ml != null, "MovieLens 100K not present under ../shared/data/ml-100k");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path target = dir.resolve("ml-100k");
        int code = new Eimf(Eimf.discover(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(new String[] {"prepare", "--format", "ml-100k", "--input", ml.toString(), "--out", target.toString(),
                    "--parallelism", "2"});
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        DatasetManifest.Counts c = PreparedDataset.read(target).manifest().counts();
        assertEquals(943, c.users());
        assertEquals(1349, c.items());
        assertEquals(99287, c.interactions());
        assertEquals(100000, c.rawInteractions());
        // 8:1:1 of 943 users: floor(754.4) train, floor(848.7) - 754 valid, the rest test.
        assertEquals(754, c.trainUsers());
        assertEquals(94, c.validUsers());
        assertEquals(95, c.testUsers());
    }
}
