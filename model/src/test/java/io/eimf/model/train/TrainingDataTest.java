package io.eimf.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.model.backbone.HistoryAlignment;
import io.eimf.model.nn.Rng;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrainingDataTest {
    // item ids encode (user, position): user u's item at position t is 100*u + t + 1, so a target names its cut
    private static final int[][] SEQS = {seq(0, 5), seq(1, 50), seq(2, 3)};

    private static int[] seq(int u, int len) {
        int[] s = new int[len];
        for (int t = 0; t < len; t++) s[t] = 100 * u + t + 1;
        return s;
    }

    private static TrainingData data() {
        return new TrainingData(300, new int[] {10, 11, 12}, SEQS, List.of(), List.of());
    }

    @Test
    void perInteractionDrawsEveryCutEquallyOften() {
        TrainingData d = data();
        // cuts: user 0 has k in [4, 5) = 1 cut, user 1 [4, 50) = 46, user 2 [1, 3) = 2: 49 in all
        int[] perCut = new int[300];
        int draws = 0;
        Rng rng = new Rng(3);
        for (int b = 0; b < 1000; b++) {
            TrainingData.Batch batch = d.sample(rng, 49, 20, HistoryAlignment.LEFT, TrainingData.PER_INTERACTION);
            for (int i = 0; i < 49; i++) {
                int target = batch.targets()[i];
                int u = target / 100;
                int k = target % 100 - 1;
                assertEquals(10 + u, batch.users()[i]);
                assertTrue(k >= (u == 2 ? 1 : 4) && k < SEQS[u].length, "cut " + k + " of user " + u);
                assertEquals(Math.min(k, 20), batch.history().length(i), "history is the items before the cut");
                perCut[target]++;
                draws++;
            }
        }
        double expected = draws / 49.0;
        int cuts = 0;
        for (int c : perCut) {
            if (c == 0) continue;
            cuts++;
            assertEquals(expected, c, 5 * Math.sqrt(expected), "each cut ~1/49 of the draws");
        }
        assertEquals(49, cuts);
    }

    @Test
    void perUserDrawsDistinctUsersAsComiRec() {
        TrainingData d = data();
        Rng rng = new Rng(4);
        int[] perUser = new int[3];
        for (int b = 0; b < 300; b++) {
            TrainingData.Batch batch = d.sample(rng, 3, 20, HistoryAlignment.LEFT, TrainingData.PER_USER);
            Set<Integer> users = new HashSet<>();
            for (int u : batch.users()) users.add(u);
            assertEquals(3, users.size(), "a batch no larger than the users holds each user once");
            TrainingData.Batch one = d.sample(rng, 1, 20, HistoryAlignment.LEFT, TrainingData.PER_USER);
            perUser[one.users()[0] - 10]++;
        }
        for (int c : perUser) assertEquals(100, c, 30, "users, not interactions, are uniform");
        assertThrows(IllegalArgumentException.class, () -> d.sample(rng, 3, 20, HistoryAlignment.LEFT, "per-item"));
        assertThrows(IllegalArgumentException.class, () -> TrainOptions.defaults().withExamples("per-item"));
        assertEquals(TrainingData.PER_USER, TrainOptions.defaults().examples());
    }
}
