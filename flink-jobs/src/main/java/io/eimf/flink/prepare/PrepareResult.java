package io.eimf.flink.prepare;

import io.eimf.core.dataset.DatasetManifest;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What one preparation run produced.
 *
 * @param dir the dataset directory
 * @param manifest its sealed manifest
 * @param engine {@code flink} or {@code memory}
 * @param parallelism the Flink parallelism (1 for memory)
 * @param millis wall time of the run, output included
 * @param jobMillis Flink's net job runtime (no mini-cluster start, no client-side concatenation); memory: = millis
 * @param badLineExamples the first skipped lines ({@code file:line: reason})
 * @param itemsWithoutMetadata kept items the metadata files did not describe
 */
public record PrepareResult(Path dir, DatasetManifest manifest, String engine, int parallelism, long millis, long jobMillis,
                            List<String> badLineExamples, long itemsWithoutMetadata) {
    /** One human line: counts with the protocol that produced them. */
    public String summary() {
        DatasetManifest.Counts c = manifest.counts();
        DatasetManifest.Split s = manifest.split();
        return String.format(Locale.ROOT,
                "prepared %s: %d users, %d items, %d interactions (of %d read; filter %s %d/%d; split %s%s: "
                        + "train %d, valid %d, test %d users); engine %s p%d in %.1fs",
                dir, c.users(), c.items(), c.interactions(), c.rawInteractions(), manifest.filter().mode(),
                manifest.filter().minItemCount(), manifest.filter().minUserCount(), s.protocol(),
                s.protocol().equals(SplitSpec.COMIREC) ? " seed " + s.seed() : "", c.trainUsers(), c.validUsers(),
                c.testUsers(), engine, parallelism, millis / 1000.0);
    }
}
