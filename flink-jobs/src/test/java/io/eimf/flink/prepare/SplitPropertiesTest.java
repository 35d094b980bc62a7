package io.eimf.flink.prepare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.dataset.EvaluationCase;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.dataset.SplitRole;
import io.eimf.core.dataset.UserSequence;
import io.eimf.core.synth.SyntheticData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Properties of the filters and splits, on synthetic data, with the in-memory engine. */
class SplitPropertiesTest {
    @TempDir
    static Path dir;
    static Path source;
    static PreparedDataset comirec;

    @BeforeAll
    static void prepare() throws IOException {
        // Short sequences and a long catalogue tail, so both filters have something to drop.
        SyntheticData.Config c = SyntheticData.Config.defaults().withUsers(600).withLengths(3, 30)
                .withCatalogue(10, 60).withNoise(0.3);
        comirec = InMemoryPreparer.prepareSynthetic(c, dir.resolve("synth"), 7L);
        source = dir.resolve("synth/source");
    }

    @Test
    void comirecRolesAreUserDisjointWithEightOneOneShares() {
        List<UserSequence> seqs = comirec.sequences();
        int n = seqs.size();
        Map<SplitRole, Integer> count = new HashMap<>();
        Set<String> raw = new HashSet<>();
        for (UserSequence s : seqs) {
            count.merge(s.role(), 1, Integer::sum);
            assertTrue(raw.add(s.rawUser()), "a user appears once, with one role");
        }
        assertEquals((int) Math.floor(n * 0.8), count.get(SplitRole.TRAIN));
        assertEquals((int) Math.floor(n * 0.9) - (int) Math.floor(n * 0.8), count.get(SplitRole.VALID));
        assertEquals(n - (int) Math.floor(n * 0.9), count.get(SplitRole.TEST));
        assertFalse(count.containsKey(SplitRole.ALL));
        assertEquals(count.get(SplitRole.TRAIN).longValue(), comirec.manifest().counts().trainUsers());
    }

    @Test
    void sequencesAreInTimeOrderAndHistoryIsTheFirstEightyPercent() {
        for (UserSequence s : comirec.sequences()) {
            long[] t = s.timestamps();
            for (int i = 1; i < t.length; i++) assertTrue(t[i - 1] <= t[i], "time order of " + s);
            int expected = s.role() == SplitRole.TRAIN ? s.length() : (int) Math.floor(s.length() * 0.8);
            assertEquals(expected, s.historyLength(), s.toString());
            if (s.role() == SplitRole.TEST) {
                EvaluationCase c = s.evaluationCase(SplitRole.TEST);
                assertEquals(expected, c.history().length);
                assertEquals(s.length() - expected, c.targets().length);
                assertNull(s.evaluationCase(SplitRole.VALID));
                assertEquals(0, s.trainingItems().length, "test users never train");
            }
        }
        // 12 items -> history 9 (floor 9.6), 10 items -> 8 exactly (no floating-point drift to 7).
        SplitSpec spec = SplitSpec.comirec(1);
        assertEquals(9, spec.historyLength(SplitRole.VALID, 12));
        assertEquals(8, spec.historyLength(SplitRole.TEST, 10));
        assertEquals(4, spec.historyLength(SplitRole.TEST, 5));
    }

    @Test
    void comirecFilterIsOnePassItemsThenUsers() throws IOException {
        Map<String, Integer> itemCount = new HashMap<>();
        List<String[]> rows = Files.readAllLines(source.resolve("ratings.csv")).stream().skip(1)
                .map(l -> l.split(",")).toList();
        for (String[] r : rows) itemCount.merge(r[1], 1, Integer::sum);
        Map<String, Integer> userCount = new HashMap<>();
        for (String[] r : rows) if (itemCount.get(r[1]) >= 5) userCount.merge(r[0], 1, Integer::sum);
        long users = userCount.values().stream().filter(v -> v >= 5).count();
        long inter = userCount.values().stream().filter(v -> v >= 5).mapToLong(v -> v).sum();
        assertEquals(users, comirec.manifest().counts().users());
        assertEquals(inter, comirec.manifest().counts().interactions());
        assertEquals(rows.size(), comirec.manifest().counts().rawInteractions());
        assertTrue(users < userCount.size() && itemCount.values().stream().anyMatch(v -> v < 5),
                "the sample must exercise both filters");
    }

    @Test
    void kCoreIteratesUntilEveryItemAndUserHasFive() throws IOException {
        PreparedDataset k = InMemoryPreparer.prepare(new PrepareOptions("ml-latest", source, dir.resolve("kcore"))
                .withFilter(PrepareOptions.FILTER_KCORE, 5, 5));
        int[] counts = new int[k.numItems() + 1];
        for (UserSequence s : k.sequences()) {
            assertTrue(s.length() >= 5);
            for (int it : s.items()) counts[it]++;
        }
        for (int i = 1; i <= k.numItems(); i++) assertTrue(counts[i] >= 5, "item " + i);
        assertTrue(k.manifest().filter().iterations() >= 1);
        assertTrue(k.manifest().counts().interactions() <= comirec.manifest().counts().interactions());
    }

    @Test
    void leaveOneOutHoldsOutTheLastTwo() throws IOException {
        PreparedDataset loo = InMemoryPreparer.prepare(new PrepareOptions("ml-latest", source, dir.resolve("loo"))
                .withSplit(SplitSpec.loo()));
        for (UserSequence s : loo.sequences()) {
            assertEquals(SplitRole.ALL, s.role());
            int n = s.length();
            assertEquals(n - 2, s.historyLength());
            assertEquals(s.items()[n - 1], s.evaluationCase(SplitRole.TEST).targets()[0]);
            assertEquals(s.items()[n - 2], s.evaluationCase(SplitRole.VALID).targets()[0]);
            assertEquals(n - 2, s.trainingItems().length);
        }
        assertEquals(loo.manifest().counts().users(), loo.manifest().counts().testUsers());
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherRoles() throws IOException {
        PreparedDataset again = InMemoryPreparer.prepare(new PrepareOptions("ml-latest", source, dir.resolve("again"))
                .withSplit(SplitSpec.comirec(7L)));
        assertEquals(comirec.manifest().contentHash(), again.manifest().contentHash());
        assertArrayEquals(Files.readAllBytes(comirec.dir().resolve("sequences.tsv")),
                Files.readAllBytes(again.dir().resolve("sequences.tsv")));
        PreparedDataset other = InMemoryPreparer.prepare(new PrepareOptions("ml-latest", source, dir.resolve("other"))
                .withSplit(SplitSpec.comirec(8L)));
        assertNotEquals(comirec.manifest().contentHash(), other.manifest().contentHash());
        assertEquals(comirec.items(), other.items(), "the seed changes roles, never ids");
    }

    @Test
    void denseIdsFollowRawIdOrder() {
        for (int i = 2; i <= comirec.numItems(); i++) {
            assertTrue(RawIdOrder.INSTANCE.compare(comirec.item(i - 1).rawId(), comirec.item(i).rawId()) < 0);
        }
        List<UserSequence> s = comirec.sequences();
        for (int u = 1; u < s.size(); u++) assertTrue(RawIdOrder.INSTANCE.compare(s.get(u - 1).rawUser(), s.get(u).rawUser()) < 0);
        assertTrue(RawIdOrder.INSTANCE.compare("9", "10") < 0);
        assertTrue(RawIdOrder.INSTANCE.compare("10", "A") < 0);
        assertTrue(RawIdOrder.INSTANCE.compare("007", "7") > 0);
    }
}
