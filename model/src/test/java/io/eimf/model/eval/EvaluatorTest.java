package io.eimf.model.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.dataset.EvaluationCase;
import io.eimf.model.baseline.MostPopular;
import io.eimf.model.ibim.IbimConfig;
import io.eimf.model.ibim.IbimModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Evaluation against a brute-force reference: score every item with every interest, merge by score, cut. */
class EvaluatorTest {
    private static final int ITEMS = 60;

    @Test
    void metricsFollowTheirDefinitionsOnAHandExample() {
        MetricAccumulator acc = new MetricAccumulator(2, 3);
        acc.add(new int[] {5, 3, 9}, new int[] {3, 7});   // hit at rank 2 of 2 targets
        acc.add(new int[] {1, 2, 4}, new int[] {8});      // no hit
        Map<String, Double> m = acc.result();
        double l3 = Math.log(3) / Math.log(2);
        assertEquals((0.5 + 0) / 2, m.get("recall@2"), 1e-12);
        assertEquals(0.5, m.get("hitrate@2"), 1e-12);
        assertEquals((1 / l3) / (1 + 1 / l3) / 2, m.get("ndcg@2"), 1e-12);   // IDCG over min(|targets|, N) = 2
        assertEquals((1 / l3) / 1.0 / 2, m.get("comirec-ndcg@2"), 1e-12);   // ComiRec: IDCG over the 1 hit
        assertEquals(1.0 / 3, m.get("micro-recall@2"), 1e-12);                // pooled: 1 hit of 3 targets
    }

    @Test
    void fullRankingEqualsBruteForceInBothProtocolsAndAnyChunking() {
        IbimModel model = new IbimModel(new IbimConfig("comirec-sa", 8, 3, 6, ITEMS, 0.5), DataType.FLOAT, 11);
        List<EvaluationCase> cases = cases(40, 5);
        for (boolean exclude : new boolean[] {false, true}) {
            MetricAccumulator ref = new MetricAccumulator(5, 10);
            for (EvaluationCase c : cases) ref.add(bruteForce(model, c, 10, exclude), c.targets());
            Map<String, Double> expected = ref.result();
            for (int chunk : new int[] {1, 7, 256}) {
                Map<String, Double> got = new Evaluator(chunk).excludeHistory(exclude).evaluate(model, cases, 5, 10);
                for (String k : expected.keySet()) assertEquals(expected.get(k), got.get(k), 1e-9, k + " chunk " + chunk);
            }
        }
        Map<String, Double> kept = new Evaluator().evaluate(model, cases, 10);
        Map<String, Double> excluded = new Evaluator().excludeHistory(true).evaluate(model, cases, 10);
        assertNotEquals(kept.get("recall@10"), excluded.get("recall@10"), "the fixture must make the protocols differ");
    }

    @Test
    void cutDropsSeenItemsAndKeepsOrder() {
        assertArrayEquals(new int[] {4, 1}, Evaluator.cut(new int[] {4, 1, 9}, new int[] {1}, 2, false));
        assertArrayEquals(new int[] {4, 9}, Evaluator.cut(new int[] {4, 1, 9, 2}, new int[] {1}, 2, true));
        assertArrayEquals(new int[] {9}, Evaluator.cut(new int[] {4, 1, 9}, new int[] {1, 4}, 2, true));
        assertTrue(Evaluator.protocol(true).contains("history items excluded"));
        assertTrue(Evaluator.protocol(false).contains("history items not excluded"));
    }

    @Test
    void mostPopularExcludesEachUsersHistory() {
        long[] counts = new long[ITEMS + 1];
        for (int i = 1; i <= ITEMS; i++) counts[i] = ITEMS - i;                    // item 1 most popular
        MostPopular mp = new MostPopular(counts);
        EvaluationCase c = new EvaluationCase(0, new int[] {1, 2}, new int[] {3, 4});
        assertEquals(0.0, mp.evaluate(List.of(c), 2).get("recall@2"));           // top-2 = 1, 2: seen, not targets
        assertEquals(1.0, mp.evaluate(List.of(c), true, 2).get("recall@2"));     // 1, 2 dropped: 3, 4 both hit
    }

    /** Items ranked by their best score over the K interests, history removed on request, cut at n. */
    private static int[] bruteForce(IbimModel model, EvaluationCase c, int n, boolean exclude) {
        INDArray h = model.interests(model.batch(new int[][] {c.history()}));
        INDArray table = model.itemEmbeddings().value();
        int k = (int) h.size(1);
        Integer[] ids = new Integer[ITEMS];
        double[] best = new double[ITEMS + 1];
        for (int item = 1; item <= ITEMS; item++) {
            ids[item - 1] = item;
            best[item] = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                double s = 0;
                for (int q = 0; q < table.size(1); q++) s += h.getDouble(0, j, q) * table.getDouble(item, q);
                best[item] = Math.max(best[item], s);
            }
        }
        Arrays.sort(ids, (a, b) -> Double.compare(best[b], best[a]));
        Set<Integer> seen = new HashSet<>();
        if (exclude) for (int x : c.history()) seen.add(x);
        return Arrays.stream(ids).filter(i -> !seen.contains(i)).limit(n).mapToInt(Integer::intValue).toArray();
    }

    /** Users whose targets overlap their histories' neighbourhoods, so kept and excluded rankings differ. */
    private static List<EvaluationCase> cases(int users, long seed) {
        Random r = new Random(seed);
        List<EvaluationCase> out = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            int[] hist = r.ints(3 + r.nextInt(10), 1, ITEMS + 1).toArray();
            int[] targets = r.ints(1 + r.nextInt(4), 1, ITEMS + 1).toArray();
            out.add(new EvaluationCase(u, hist, targets));
        }
        return out;
    }
}
