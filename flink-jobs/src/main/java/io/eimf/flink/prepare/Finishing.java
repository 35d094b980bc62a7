package io.eimf.flink.prepare;

import io.eimf.core.dataset.DatasetManifest;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.dataset.SplitRole;
import io.eimf.core.dataset.UserSequence;
import io.eimf.core.io.ContentHash;
import io.eimf.flink.format.SourceFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The last rules both engines share: a sequence's output line, the split counts, and the manifest. */
public final class Finishing {
    private Finishing() {}

    /** One sequences.tsv line for dense user {@code user}; items are mapped through {@code itemIds}. */
    public static String line(int user, SplitRole role, RawSequence s, Map<String, Integer> itemIds, SplitSpec split) {
        int n = s.items.length;
        int[] items = new int[n];
        for (int i = 0; i < n; i++) {
            Integer id = itemIds.get(s.items[i]);
            if (id == null) throw new IllegalStateException("item " + s.items[i] + " has no dense id");
            items[i] = id;
        }
        return line(user, role, s.user, items, s.times, split);
    }

    /** One sequences.tsv line for dense user {@code user} whose items are already dense ids. */
    public static String line(int user, SplitRole role, String rawUser, int[] items, long[] times, SplitSpec split) {
        return PreparedDataset.formatSequence(new UserSequence(user, rawUser, role, split.historyLength(role, items.length),
                items, times));
    }

    /** Counts of a split: users, interactions, train users, users with a valid case, users with a test case. */
    public record SplitCounts(long users, long interactions, long train, long valid, long test) {
        public static SplitCounts of(SplitRole[] roles, int[] lengths, SplitSpec split) {
            long inter = 0, train = 0, valid = 0, test = 0;
            for (int u = 0; u < roles.length; u++) {
                inter += lengths[u];
                if (roles[u] == SplitRole.TRAIN || roles[u] == SplitRole.ALL) train++;
                if (split.hasCase(roles[u], lengths[u], SplitRole.VALID)) valid++;
                if (split.hasCase(roles[u], lengths[u], SplitRole.TEST)) test++;
            }
            return new SplitCounts(roles.length, inter, train, valid, test);
        }
    }

    /** The manifest (without content hash: {@link PreparedDataset#seal} adds it). */
    public static DatasetManifest manifest(PrepareOptions o, SourceFormat format, List<Path> files, SplitCounts c,
                                           long items, long raw, long badLines, int iterations) throws IOException {
        return manifestOf(o, format, sourceFiles(o, files), c, items, raw, badLines, iterations);
    }

    /** The input files as the manifest lists them: name relative to the input, SHA-256, size. */
    public static List<DatasetManifest.SourceFile> sourceFiles(PrepareOptions o, List<Path> files) throws IOException {
        List<DatasetManifest.SourceFile> sf = new ArrayList<>();
        for (Path f : files) {
            Path base = Files.isDirectory(o.input()) ? o.input() : o.input().getParent();
            sf.add(new DatasetManifest.SourceFile(base.relativize(f.toAbsolutePath().normalize()).toString(),
                    ContentHash.ofFile(f), Files.size(f)));
        }
        return sf;
    }

    /** The manifest from already hashed input files ({@link #sourceFiles}). */
    public static DatasetManifest manifestOf(PrepareOptions o, SourceFormat format, List<DatasetManifest.SourceFile> sf,
                                           SplitCounts c, long items, long raw, long badLines, int iterations) {
        Map<String, String> opts = new LinkedHashMap<>(format.options());
        opts.put("input", o.input().toString());
        SplitSpec s = o.split();
        return new DatasetManifest(PreparedDataset.FORMAT_VERSION,
                new DatasetManifest.Source(format.name(), sf, opts),
                new DatasetManifest.Feedback(o.minRating()),
                new DatasetManifest.Filter(o.filter(), o.minItemCount(), o.minUserCount(), iterations),
                s.protocol().equals(SplitSpec.LOO) ? new DatasetManifest.Split(s.protocol(), 0, 0, 0, 0)
                        : new DatasetManifest.Split(s.protocol(), s.seed(), s.trainRatio(), s.validRatio(), s.historyFraction()),
                new DatasetManifest.Counts(c.users(), items, c.interactions(), c.train(), c.valid(), c.test(), raw, badLines),
                null, null, null);
    }

    /** All input files of a run (interactions, then metadata), for the manifest. */
    public static List<Path> allFiles(SourceFormat f, Path input) {
        List<Path> all = new ArrayList<>(f.interactionFiles(input));
        all.addAll(f.itemFiles(input));
        return all;
    }
}
