package io.eimf.model.eval;

import io.eimf.core.dataset.EvaluationCase;
import io.eimf.model.ibim.IbimModel;
import io.eimf.model.inference.TopNRetriever;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exact full-ranking evaluation of an IBIM model: every item is a candidate (history items included, as in
 * ComiRec's evaluation; only padding is excluded), users are scored in chunks through {@link TopNRetriever}.
 * {@link #excludeHistory(boolean)} switches to the other common protocol, where the items a user has already seen
 * (the whole evaluation history, not only the last L) are removed from the ranking before cutting at N.
 */
public final class Evaluator {
    /** The protocol string recorded with every number this class produces (ComiRec's: history not excluded). */
    public static final String PROTOCOL = protocol(false);
    static final WorkspaceConfiguration WS = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.OVERALLOCATE).overallocationLimit(0.2)
            .policyLearning(LearningPolicy.FIRST_LOOP).policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE).build();
    private final int chunk;
    private boolean excludeHistory;

    /** @param chunk users scored together (memory is chunk*K*items scores) */
    public Evaluator(int chunk) {
        if (chunk < 1) throw new IllegalArgumentException("chunk must be positive");
        this.chunk = chunk;
    }

    public Evaluator() {
        this(256);
    }

    /** Removes each user's history items from its ranking (default false: ComiRec's protocol). */
    public Evaluator excludeHistory(boolean exclude) {
        this.excludeHistory = exclude;
        return this;
    }

    /** The protocol string for either variant (also used by baselines). */
    public static String protocol(boolean excludeHistory) {
        return "full-ranking; K interests merged by max inner product; history items " + (excludeHistory ? "" : "not ")
                + "excluded; Recall=hits/|targets|, NDCG IDCG over min(|targets|,N); comirec-ndcg: IDCG over hits; "
                + "micro-recall: all hits/all targets";
    }

    /**
     * The first {@code n} items of {@code ranked} that are not in {@code history}; with {@code exclude} false, simply
     * the first {@code n}. Callers rank at least {@code n + |history|} items so that n survive.
     */
    public static int[] cut(int[] ranked, int[] history, int n, boolean exclude) {
        if (!exclude) return ranked.length <= n ? ranked : java.util.Arrays.copyOf(ranked, n);
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int h : history) seen.add(h);
        int[] out = new int[Math.min(n, ranked.length)];
        int m = 0;
        for (int i = 0; i < ranked.length && m < out.length; i++) if (!seen.contains(ranked[i])) out[m++] = ranked[i];
        return m == out.length ? out : java.util.Arrays.copyOf(out, m);
    }

    /** Metrics at the given cutoffs (e.g. 20, 50). */
    public Map<String, Double> evaluate(IbimModel model, List<EvaluationCase> cases, int... cutoffs) {
        MetricAccumulator acc = new MetricAccumulator(cutoffs);
        for (int from = 0; from < cases.size(); from += chunk) {
            int to = Math.min(cases.size(), from + chunk);
            int[][] hist = new int[to - from][];
            int longest = 0;
            for (int i = from; i < to; i++) {
                hist[i - from] = cases.get(i).history();
                longest = Math.max(longest, hist[i - from].length);
            }
            int depth = acc.maxCutoff() + (excludeHistory ? longest : 0);
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WS, "EIMF_EVAL")) {
                TopNRetriever r = new TopNRetriever(model.itemEmbeddings().value());
                TopNRetriever.Ranked[] ranked = r.retrieve(model.interests(model.batch(hist)), depth);
                for (int i = from; i < to; i++) {
                    acc.add(cut(ranked[i - from].items(), hist[i - from], acc.maxCutoff(), excludeHistory),
                            cases.get(i).targets());
                }
            }
        }
        return acc.result();
    }
}
