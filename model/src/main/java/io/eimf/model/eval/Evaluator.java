package io.eimf.model.eval;

import io.eimf.core.dataset.EvaluationCase;
import io.eimf.model.backbone.HistoryBatch;
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
 */
public final class Evaluator {
    /** The protocol string recorded with every number this class produces. */
    public static final String PROTOCOL = "full-ranking; K interests merged by max inner product; history items not "
            + "excluded; Recall=hits/|targets|, NDCG IDCG over min(|targets|,N); comirec-ndcg: IDCG over hits";
    static final WorkspaceConfiguration WS = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.OVERALLOCATE).overallocationLimit(0.2)
            .policyLearning(LearningPolicy.FIRST_LOOP).policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE).build();
    private final int chunk;

    /** @param chunk users scored together (memory is chunk*K*items scores) */
    public Evaluator(int chunk) {
        if (chunk < 1) throw new IllegalArgumentException("chunk must be positive");
        this.chunk = chunk;
    }

    public Evaluator() {
        this(256);
    }

    /** Metrics at the given cutoffs (e.g. 20, 50). */
    public Map<String, Double> evaluate(IbimModel model, List<EvaluationCase> cases, int... cutoffs) {
        MetricAccumulator acc = new MetricAccumulator(cutoffs);
        int maxLen = model.config().maxLen();
        for (int from = 0; from < cases.size(); from += chunk) {
            int to = Math.min(cases.size(), from + chunk);
            int[][] hist = new int[to - from][];
            for (int i = from; i < to; i++) hist[i - from] = cases.get(i).history();
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WS, "EIMF_EVAL")) {
                TopNRetriever r = new TopNRetriever(model.itemEmbeddings().value());
                TopNRetriever.Ranked[] ranked = r.retrieve(model.interests(HistoryBatch.of(hist, maxLen)), acc.maxCutoff());
                for (int i = from; i < to; i++) acc.add(ranked[i - from].items(), cases.get(i).targets());
            }
        }
        return acc.result();
    }
}
