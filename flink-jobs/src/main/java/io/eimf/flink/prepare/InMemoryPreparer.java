package io.eimf.flink.prepare;

import io.eimf.core.cli.EimfException;
import io.eimf.core.dataset.DatasetManifest;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.progress.Progress;
import io.eimf.core.synth.SyntheticData;
import io.eimf.flink.format.FileRange;
import io.eimf.flink.format.InteractionReader;
import io.eimf.flink.format.InteractionRecord;
import io.eimf.flink.format.SourceFormat;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Single-threaded preparation in one JVM, byte-identical to {@link PrepareJob} on the same input and options. It is
 * the baseline of {@code eimf bench prepare} and the quick way for tests to turn {@link SyntheticData} into a
 * prepared dataset ({@link #prepareSynthetic}). Needs no Flink on the classpath. Interactions are held as parallel
 * primitive arrays (about 30 bytes each), not objects.
 */
public final class InMemoryPreparer {
    private InMemoryPreparer() {}

    /** Prepares {@code o.input()} into {@code o.out()} and reads the result back. */
    public static PreparedDataset prepare(PrepareOptions o) throws IOException {
        return PreparedDataset.read(run(o, null).dir());
    }

    /**
     * Writes {@link SyntheticData} as MovieLens-latest CSV under {@code work}/source and prepares it into
     * {@code work}/prepared with the comirec filter and split: what other modules' tests need in one call.
     */
    public static PreparedDataset prepareSynthetic(SyntheticData.Config config, Path work, long splitSeed)
            throws IOException {
        Path src = work.resolve("source");
        SyntheticData.writeMovieLensCsv(config, src, true);
        return prepare(new PrepareOptions("ml-latest", src, work.resolve("prepared")).withOverwrite(true)
                .withSplit(SplitSpec.comirec(splitSeed)));
    }

    /** Runs the preparation; progress lines go to {@code log} (null for none). */
    public static PrepareResult run(PrepareOptions o, PrintStream log) throws IOException {
        long t0 = System.nanoTime();
        SourceFormat format = o.resolveFormat();
        List<Path> files = format.interactionFiles(o.input());
        InteractionReader reader = new InteractionReader(format, o.minRating(), o.skipBadLines());
        InteractionReader.Stats stats = new InteractionReader.Stats();
        Columns cols = new Columns();
        Progress progress = log == null ? null : new Progress("prepare/read", 0, log, Duration.ofSeconds(5));
        for (FileRange r : FileRange.split(files, o.input(), Long.MAX_VALUE)) {
            reader.read(r, stats, rec -> {
                cols.add(rec);
                if (progress != null && (cols.size & 0xFFFFF) == 0) progress.advance(1 << 20, "interactions");
            });
        }
        List<RawSequence> seqs = cols.filterAndGroup(o.minItemCount(), o.minUserCount());
        int iterations = 1;
        if (o.filter().equals(PrepareOptions.FILTER_KCORE)) iterations = SequenceRules.kCore(seqs, o.minItemCount(), o.minUserCount());
        if (seqs.isEmpty()) throw empty(o, stats);

        Assignment a = Assignment.of(Assignment.distinctItems(seqs), Assignment.users(seqs), o.split());
        Map<String, Integer> itemIds = new HashMap<>(a.items.length * 2);
        for (int i = 0; i < a.items.length; i++) itemIds.put(a.items[i], i + 1);
        Map<String, RawSequence> byUser = new HashMap<>(seqs.size() * 2);
        for (RawSequence s : seqs) byUser.put(s.user, s);
        int[] lengths = new int[a.users.length];
        for (int u = 0; u < lengths.length; u++) lengths[u] = byUser.get(a.users[u]).length();
        Finishing.SplitCounts counts = Finishing.SplitCounts.of(a.roles, lengths, o.split());

        int[] missing = new int[1];
        final int iters = iterations;
        DatasetManifest[] sealed = new DatasetManifest[1];
        Path dir = AtomicOutput.directory(o.out(), o.overwrite(), tmp -> {
            missing[0] = Catalogue.write(tmp.resolve(PreparedDataset.ITEMS), a.items, format,
                    format.itemFiles(o.input()), o.input(), o.skipBadLines(), stats);
            try (BufferedWriter w = Files.newBufferedWriter(tmp.resolve(PreparedDataset.SEQUENCES), StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE_NEW)) {
                w.write(PreparedDataset.SEQUENCES_HEADER);
                w.write('\n');
                for (int u = 0; u < a.users.length; u++) {
                    w.write(Finishing.line(u, a.roles[u], byUser.get(a.users[u]), itemIds, o.split()));
                    w.write('\n');
                }
            }
            DatasetManifest m = Finishing.manifest(o, format, Finishing.allFiles(format, o.input()), counts,
                    a.items.length, stats.raw, stats.badLines, iters);
            sealed[0] = PreparedDataset.seal(tmp, m);
        });
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (progress != null) progress.finish(cols.size + " interactions kept before filtering");
        return new PrepareResult(dir, sealed[0], "memory", 1, ms, ms, List.copyOf(stats.examples), missing[0]);
    }

    /** The one-line error for a run that filtered everything away. */
    static EimfException empty(PrepareOptions o, InteractionReader.Stats stats) {
        return new EimfException("nothing left to write: " + stats.raw + " interactions read"
                + (stats.belowMinRating > 0 ? ", " + stats.belowMinRating + " below --min-rating " + o.minRating() : "")
                + ", no user keeps " + o.minUserCount() + " interactions on items with at least " + o.minItemCount()
                + " (" + o.filter() + " filter); no output written");
    }

    /** Interactions as parallel arrays with interned ids. */
    private static final class Columns {
        final Map<String, Integer> userIndex = new HashMap<>();
        final Map<String, Integer> itemIndex = new HashMap<>();
        final List<String> userNames = new ArrayList<>();
        final List<String> itemNames = new ArrayList<>();
        int[] user = new int[1024];
        int[] item = new int[1024];
        long[] time = new long[1024];
        long[] order = new long[1024];
        int[] pos = new int[1024];
        int size;

        void add(InteractionRecord r) {
            if (size == user.length) {
                int n = size * 2;
                user = Arrays.copyOf(user, n);
                item = Arrays.copyOf(item, n);
                time = Arrays.copyOf(time, n);
                order = Arrays.copyOf(order, n);
                pos = Arrays.copyOf(pos, n);
            }
            user[size] = intern(userIndex, userNames, r.user);
            item[size] = intern(itemIndex, itemNames, r.item);
            time[size] = r.time;
            order[size] = r.order;
            pos[size] = r.pos;
            size++;
        }

        private static int intern(Map<String, Integer> index, List<String> names, String s) {
            Integer i = index.get(s);
            if (i != null) return i;
            index.put(s, names.size());
            names.add(s);
            return names.size() - 1;
        }

        /** The comirec pass (items, then users) and the per-user sort, with the shared rules. */
        List<RawSequence> filterAndGroup(int minItem, int minUser) {
            int[] itemCount = new int[itemNames.size()];
            for (int i = 0; i < size; i++) itemCount[item[i]]++;
            int[] userCount = new int[userNames.size()];
            for (int i = 0; i < size; i++) if (SequenceRules.keep(itemCount[item[i]], minItem)) userCount[user[i]]++;
            // Counting sort of the kept interactions by user, then each user's slice by (time, input order).
            int[] start = new int[userNames.size() + 1];
            for (int u = 0; u < userCount.length; u++) {
                start[u + 1] = start[u] + (SequenceRules.keep(userCount[u], minUser) ? userCount[u] : 0);
            }
            int[] slot = Arrays.copyOf(start, start.length);
            int[] idx = new int[start[userNames.size()]];
            for (int i = 0; i < size; i++) {
                int u = user[i];
                if (SequenceRules.keep(itemCount[item[i]], minItem) && SequenceRules.keep(userCount[u], minUser)) {
                    idx[slot[u]++] = i;
                }
            }
            List<RawSequence> out = new ArrayList<>();
            Integer[] box = new Integer[0];
            for (int u = 0; u < userCount.length; u++) {
                int from = start[u], to = start[u + 1];
                if (from == to) continue;
                int n = to - from;
                if (box.length < n) box = new Integer[Math.max(n, box.length * 2)];
                for (int k = 0; k < n; k++) box[k] = idx[from + k];
                Arrays.sort(box, 0, n, (x, y) -> InteractionRecord.compare(time[x], order[x], pos[x], time[y], order[y], pos[y]));
                String[] items = new String[n];
                long[] times = new long[n];
                for (int k = 0; k < n; k++) {
                    items[k] = itemNames.get(item[box[k]]);
                    times[k] = time[box[k]];
                }
                out.add(new RawSequence(userNames.get(u), items, times));
            }
            return out;
        }
    }
}
