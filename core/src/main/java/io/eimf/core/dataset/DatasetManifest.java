package io.eimf.core.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of a prepared dataset: where it came from, how it was made, what it holds.
 *
 * @param formatVersion version of the on-disk layout ({@link PreparedDataset#FORMAT_VERSION})
 * @param source the input format and files, with their SHA-256 hashes
 * @param feedback how explicit ratings became implicit feedback
 * @param filter the frequency filter applied
 * @param split the split protocol, its seed and ratios
 * @param counts sizes after filtering
 * @param contentHash SHA-256 over items.jsonl and sequences.tsv
 * @param toolVersion EIMF version that wrote it
 * @param createdAt ISO-8601 creation time
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatasetManifest(
        int formatVersion,
        Source source,
        Feedback feedback,
        Filter filter,
        Split split,
        Counts counts,
        String contentHash,
        String toolVersion,
        String createdAt) {

    /**
     * @param format input format name (ml-100k, ml-1m, ml-latest, amazon-2014, amazon-2018, csv, seq-txt, ...)
     * @param files input files with their hashes
     * @param options format options (column mapping, etc.)
     */
    public record Source(String format, List<SourceFile> files, Map<String, String> options) {}

    /** One input file. */
    public record SourceFile(String path, String sha256, long bytes) {}

    /**
     * @param minRating ratings below this are dropped (null: every interaction counts)
     */
    public record Feedback(Double minRating) {}

    /**
     * @param mode {@code comirec} (one pass: items, then users) or {@code k-core} (iterate until stable)
     * @param minItemCount items with fewer interactions are dropped
     * @param minUserCount users with fewer interactions are dropped
     * @param iterations passes made (1 for comirec)
     */
    public record Filter(String mode, int minItemCount, int minUserCount, int iterations) {}

    /**
     * @param protocol {@code comirec} (user split 8:1:1, 80% history) or {@code loo} (leave-one-out)
     * @param seed the seed of the user shuffle
     * @param trainRatio share of users in train (comirec)
     * @param validRatio share of users in valid (comirec)
     * @param historyFraction share of a valid/test user's sequence that is history (comirec)
     */
    public record Split(String protocol, long seed, double trainRatio, double validRatio, double historyFraction) {}

    /**
     * @param users users kept
     * @param items items kept
     * @param interactions interactions kept
     * @param trainUsers users in train (comirec) or all users (loo)
     * @param validUsers users with a validation case
     * @param testUsers users with a test case
     * @param rawInteractions interactions read before filtering
     * @param badLinesSkipped malformed lines skipped (only with --skip-bad-lines)
     */
    public record Counts(long users, long items, long interactions, long trainUsers, long validUsers,
                         long testUsers, long rawInteractions, long badLinesSkipped) {}
}
