package io.eimf.model.train;

import io.eimf.core.dataset.DatasetManifest;
import io.eimf.core.dataset.Item;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.dataset.SplitRole;
import io.eimf.core.dataset.UserSequence;
import io.eimf.core.synth.SyntheticData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test fixture: a prepared dataset with planted interests and a ComiRec-style 8:1:1 user split. */
public final class SynthFixture {
    private SynthFixture() {}

    public static PreparedDataset write(Path dir, SyntheticData.Config c) throws Exception {
        SyntheticData.Generated g = SyntheticData.generate(c);
        List<Item> items = new ArrayList<>();
        for (SyntheticData.SynthItem it : g.items()) {
            items.add(new Item(it.id(), Integer.toString(it.id()), it.title(), List.of(it.category()), null));
        }
        Map<Integer, List<SyntheticData.Interaction>> byUser = new LinkedHashMap<>();
        for (SyntheticData.Interaction x : g.interactions()) byUser.computeIfAbsent(x.user(), u -> new ArrayList<>()).add(x);
        List<UserSequence> seqs = new ArrayList<>();
        int dense = 0;
        for (var e : byUser.entrySet()) {
            List<SyntheticData.Interaction> xs = e.getValue();
            int[] its = xs.stream().mapToInt(SyntheticData.Interaction::item).toArray();
            long[] ts = xs.stream().mapToLong(SyntheticData.Interaction::timestamp).toArray();
            int slot = dense % 10;
            SplitRole role = slot < 8 ? SplitRole.TRAIN : slot == 8 ? SplitRole.VALID : SplitRole.TEST;
            int hist = role == SplitRole.TRAIN ? its.length : (int) (its.length * 0.8);
            seqs.add(new UserSequence(dense++, Integer.toString(e.getKey()), role, hist, its, ts));
        }
        DatasetManifest m = new DatasetManifest(1, new DatasetManifest.Source("synthetic", List.of(), Map.of()),
                new DatasetManifest.Feedback(null), new DatasetManifest.Filter("comirec", 0, 0, 1),
                new DatasetManifest.Split("comirec", c.seed(), 0.8, 0.1, 0.8),
                new DatasetManifest.Counts(seqs.size(), items.size(), g.interactions().size(), 0, 0, 0, 0, 0),
                null, null, null);
        return PreparedDataset.write(dir, m, items, seqs, true);
    }
}
