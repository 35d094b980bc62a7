package io.eimf.flink.cluster;

import io.eimf.core.dataset.DatasetManifest;
import io.eimf.core.dataset.Item;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.dataset.SplitRole;
import io.eimf.core.dataset.UserSequence;
import io.eimf.core.synth.SyntheticData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Small prepared datasets built from {@link SyntheticData} for the cluster tests. */
final class TestDatasets {
    private TestDatasets() {}

    /**
     * A comirec-split dataset: users 0,1,..: every 10th user (index % 10 == 8) valid, (== 9) test, the rest train;
     * valid/test users' history is their first 80%.
     */
    static PreparedDataset comirec(Path dir, int users, long seed) throws IOException {
        return write(dir, users, seed, false);
    }

    /** The same users under a loo split. */
    static PreparedDataset loo(Path dir, int users, long seed) throws IOException {
        return write(dir, users, seed, true);
    }

    private static PreparedDataset write(Path dir, int users, long seed, boolean loo) throws IOException {
        SyntheticData.Generated g = SyntheticData.generate(SyntheticData.Config.defaults().withUsers(users)
                .withSeed(seed).withLengths(15, 40));
        List<Item> items = new ArrayList<>();
        for (SyntheticData.SynthItem it : g.items()) {
            items.add(new Item(it.id(), String.valueOf(it.id()), it.title(), List.of(it.category()),
                    Item.defaultText(it.title(), List.of(it.category()))));
        }
        List<List<Integer>> seqItems = new ArrayList<>();
        List<List<Long>> seqTs = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            seqItems.add(new ArrayList<>());
            seqTs.add(new ArrayList<>());
        }
        for (SyntheticData.Interaction x : g.interactions()) {
            seqItems.get(x.user() - 1).add(x.item());
            seqTs.get(x.user() - 1).add(x.timestamp());
        }
        List<UserSequence> seqs = new ArrayList<>();
        long train = 0, valid = 0, test = 0, interactions = 0;
        for (int u = 0; u < users; u++) {
            int[] its = seqItems.get(u).stream().mapToInt(Integer::intValue).toArray();
            long[] ts = seqTs.get(u).stream().mapToLong(Long::longValue).toArray();
            interactions += its.length;
            SplitRole role;
            int history;
            if (loo) {
                role = SplitRole.ALL;
                history = its.length - 2;
                train++;
                valid++;
                test++;
            } else {
                role = u % 10 == 8 ? SplitRole.VALID : u % 10 == 9 ? SplitRole.TEST : SplitRole.TRAIN;
                history = role == SplitRole.TRAIN ? its.length : (int) (its.length * 0.8);
                if (role == SplitRole.TRAIN) train++;
                else if (role == SplitRole.VALID) valid++;
                else test++;
            }
            seqs.add(new UserSequence(u, "u" + (u + 1), role, history, its, ts));
        }
        String protocol = loo ? "loo" : "comirec";
        DatasetManifest m = new DatasetManifest(PreparedDataset.FORMAT_VERSION,
                new DatasetManifest.Source("test-synthetic", List.of(), Map.of()), new DatasetManifest.Feedback(null),
                new DatasetManifest.Filter("comirec", 1, 1, 1),
                new DatasetManifest.Split(protocol, seed, 0.8, 0.1, 0.8),
                new DatasetManifest.Counts(users, items.size(), interactions, train, valid, test, interactions, 0),
                null, null, null);
        return PreparedDataset.write(dir, m, items, seqs, false);
    }
}
