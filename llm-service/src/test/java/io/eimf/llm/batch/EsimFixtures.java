package io.eimf.llm.batch;

import io.eimf.core.dataset.DatasetManifest;
import io.eimf.core.dataset.Item;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.dataset.SplitRole;
import io.eimf.core.dataset.UserSequence;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.semantic.ClusterSet;
import io.eimf.core.semantic.ClusterSet.Assignment;
import io.eimf.core.semantic.ClusterSet.TypicalSample;
import io.eimf.core.semantic.ClustersManifest;
import io.eimf.core.synth.SyntheticData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A prepared dataset and a clusters directory over it, built without Flink for the extraction tests. */
final class EsimFixtures {
    private EsimFixtures() {}

    /**
     * {@code users} synthetic users; comirec roles by index (8: valid, 9: test, else train) or loo for everyone.
     * Sequences are 15..40 long so loo targets and the max-prompt-items cut both matter.
     */
    static PreparedDataset dataset(Path dir, int users, boolean loo) throws IOException {
        SyntheticData.Generated g = SyntheticData.generate(SyntheticData.Config.defaults().withUsers(users)
                .withSeed(17).withLengths(15, 40));
        List<Item> items = new ArrayList<>();
        for (SyntheticData.SynthItem it : g.items()) {
            items.add(new Item(it.id(), String.valueOf(it.id()), it.title(), List.of(it.category()),
                    Item.defaultText(it.title(), List.of(it.category()))));
        }
        List<List<Integer>> its = new ArrayList<>();
        List<List<Long>> tss = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            its.add(new ArrayList<>());
            tss.add(new ArrayList<>());
        }
        for (SyntheticData.Interaction x : g.interactions()) {
            its.get(x.user() - 1).add(x.item());
            tss.get(x.user() - 1).add(x.timestamp());
        }
        List<UserSequence> seqs = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            int[] a = its.get(u).stream().mapToInt(Integer::intValue).toArray();
            long[] t = tss.get(u).stream().mapToLong(Long::longValue).toArray();
            SplitRole role = loo ? SplitRole.ALL
                    : u % 10 == 8 ? SplitRole.VALID : u % 10 == 9 ? SplitRole.TEST : SplitRole.TRAIN;
            int history = role == SplitRole.TRAIN ? a.length : role == SplitRole.ALL ? a.length - 2
                    : (int) (a.length * 0.8);
            seqs.add(new UserSequence(u, "u" + (u + 1), role, history, a, t));
        }
        DatasetManifest m = new DatasetManifest(1, new DatasetManifest.Source("test", List.of(), Map.of()),
                new DatasetManifest.Feedback(null), new DatasetManifest.Filter("comirec", 1, 1, 1),
                new DatasetManifest.Split(loo ? "loo" : "comirec", 1, 0.8, 0.1, 0.8),
                new DatasetManifest.Counts(users, items.size(), g.interactions().size(), 0, 0, 0, 0, 0),
                null, null, null);
        return PreparedDataset.write(dir, m, items, seqs, false);
    }

    /**
     * A clusters directory whose samples are the given users (cluster = index % k), or, with {@code users} null,
     * every prompt-eligible user of {@code ds} up to {@code limit}.
     */
    static ClusterSet clusters(Path dir, PreparedDataset ds, int k, List<Integer> users, int limit) throws IOException {
        List<Integer> chosen = new ArrayList<>();
        if (users != null) {
            chosen.addAll(users);
        } else {
            for (UserSequence s : ds.sequences()) {
                if (s.promptVisibleItems().length > 0 && chosen.size() < limit) chosen.add(s.user());
            }
        }
        List<Assignment> as = new ArrayList<>();
        List<TypicalSample> samples = new ArrayList<>();
        int[] rank = new int[k];
        long[] sizes = new long[k];
        for (int i = 0; i < chosen.size(); i++) {
            int u = chosen.get(i);
            UserSequence s = ds.sequences().get(u);
            int c = i % k;
            sizes[c]++;
            as.add(new Assignment(u, s.rawUser(), c, 0.1 * i, s.promptVisibleItems().length));
            samples.add(new TypicalSample(c, rank[c]++, u, s.rawUser(), 0.1 * i, s.promptVisibleItems().length));
        }
        samples.sort(java.util.Comparator.comparingInt(TypicalSample::cluster).thenComparingInt(TypicalSample::rank));
        float[][] centroids = new float[k][2];
        List<Long> sizeList = new ArrayList<>();
        for (long s : sizes) sizeList.add(s);
        ClustersManifest m = new ClustersManifest(1, new ClustersManifest.DatasetRef(ds.dir().toString(),
                ds.manifest().contentHash(), ds.manifest().split().protocol()), "test cutoff", "categories", 2, null,
                1, k, 10, 10, 0, 1, true, List.of(1.0), 1.0, sizeList, as.size(), 5, 1, as.size(), samples.size(), 1,
                null, null, null);
        AtomicOutput.directory(dir, false, tmp -> ClusterSet.write(tmp, m, as, samples, centroids, sizes));
        return ClusterSet.read(dir);
    }
}
