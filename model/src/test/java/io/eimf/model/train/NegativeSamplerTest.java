package io.eimf.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.model.nn.Rng;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NegativeSamplerTest {
    private static final long[] COUNTS = new long[101]; // 100 items, ids 1..100

    @Test
    void uniformDistinctDrawsDistinctIdsInRange() {
        NegativeSampler s = NegativeSampler.create(NegativeSampler.UNIFORM_DISTINCT, COUNTS);
        int[] ids = s.sample(new Rng(7), 60);
        assertEquals(60, ids.length);
        assertEquals(60, Arrays.stream(ids).distinct().count());
        assertTrue(Arrays.stream(ids).allMatch(i -> i >= 1 && i <= 100));
        assertEquals(null, s.logQ());
    }

    @Test
    void uniformDistinctCapsAtTheCatalogue() {
        int[] ids = NegativeSampler.create(NegativeSampler.UNIFORM_DISTINCT, COUNTS).sample(new Rng(7), 1280);
        int[] sorted = ids.clone();
        Arrays.sort(sorted);
        int[] all = new int[100];
        Arrays.setAll(all, i -> i + 1);
        assertArrayEquals(all, sorted);
    }

    @Test
    void uniformDistinctIsUniformAndSeeded() {
        NegativeSampler s = NegativeSampler.create(NegativeSampler.UNIFORM_DISTINCT, COUNTS);
        int[] hits = new int[101];
        Rng rng = new Rng(3);
        for (int r = 0; r < 4000; r++) for (int id : s.sample(rng, 10)) hits[id]++;
        // 40,000 draws over 100 items: 400 each in expectation, sd ~19.
        for (int id = 1; id <= 100; id++) assertTrue(Math.abs(hits[id] - 400) < 100, "item " + id + ": " + hits[id]);
        assertArrayEquals(s.sample(new Rng(5), 30), s.sample(new Rng(5), 30));
    }

    @Test
    void uniformWithReplacementKeepsTheAskedCount() {
        // With replacement the batch gets exactly n draws even beyond the catalogue, repeats included.
        int[] ids = NegativeSampler.create(NegativeSampler.UNIFORM, COUNTS).sample(new Rng(7), 150);
        assertEquals(150, ids.length);
        assertTrue(Arrays.stream(ids).allMatch(i -> i >= 1 && i <= 100));
    }

    @Test
    void unknownKindIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> NegativeSampler.create("zipf", COUNTS));
    }
}
