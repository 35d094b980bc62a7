package io.eimf.model.baseline;

import io.eimf.core.dataset.EvaluationCase;
import io.eimf.model.eval.Evaluator;
import io.eimf.model.eval.MetricAccumulator;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The MostPopular baseline: every user gets the items most frequent in the training sequences (ties by id). */
public final class MostPopular {
    private final int[] ranking;

    /** @param counts training interactions per dense item id (index 0 unused) */
    public MostPopular(long[] counts) {
        Integer[] ids = new Integer[counts.length - 1];
        for (int i = 0; i < ids.length; i++) ids[i] = i + 1;
        Arrays.sort(ids, (a, b) -> counts[a] != counts[b] ? Long.compare(counts[b], counts[a]) : Integer.compare(a, b));
        this.ranking = Arrays.stream(ids).mapToInt(Integer::intValue).toArray();
    }

    /** Training interaction counts from training sequences. */
    public static long[] counts(List<int[]> trainingSequences, int numItems) {
        long[] c = new long[numItems + 1];
        for (int[] s : trainingSequences) for (int x : s) c[x]++;
        return c;
    }

    /** The top-n ranking. */
    public int[] top(int n) {
        return Arrays.copyOf(ranking, Math.min(n, ranking.length));
    }

    /** Metrics under ComiRec's protocol (history items not excluded). */
    public Map<String, Double> evaluate(List<EvaluationCase> cases, int... cutoffs) {
        return evaluate(cases, false, cutoffs);
    }

    /** Metrics, with each user's history items removed from the list when {@code excludeHistory}. */
    public Map<String, Double> evaluate(List<EvaluationCase> cases, boolean excludeHistory, int... cutoffs) {
        MetricAccumulator acc = new MetricAccumulator(cutoffs);
        int longest = 0;
        if (excludeHistory) for (EvaluationCase c : cases) longest = Math.max(longest, c.history().length);
        int[] top = top(acc.maxCutoff() + longest);   // deep enough that maxCutoff items survive any history
        for (EvaluationCase c : cases) acc.add(Evaluator.cut(top, c.history(), acc.maxCutoff(), excludeHistory), c.targets());
        return acc.result();
    }
}
