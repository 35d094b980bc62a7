package io.eimf.flink.cluster;

import io.eimf.core.semantic.ClusterSet.Assignment;
import io.eimf.core.semantic.ClusterSet.TypicalSample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Chooses the typical samples: per cluster, the {@code m} users nearest the centroid among those with at least
 * {@code minInteractions} prompt-visible interactions (ties broken by user id, so the choice is deterministic).
 * The LLM budget is therefore at most k x m; a cluster with fewer eligible users gives fewer samples.
 */
public final class TypicalSamples {
    private TypicalSamples() {}

    /** The samples ordered by cluster, then rank. */
    public static List<TypicalSample> select(List<Assignment> assignments, int k, int m, int minInteractions) {
        List<List<Assignment>> byCluster = new ArrayList<>();
        for (int c = 0; c < k; c++) byCluster.add(new ArrayList<>());
        for (Assignment a : assignments) {
            if (a.interactions() >= minInteractions) byCluster.get(a.cluster()).add(a);
        }
        List<TypicalSample> out = new ArrayList<>();
        Comparator<Assignment> nearest = Comparator.comparingDouble(Assignment::distance)
                .thenComparingInt(Assignment::user);
        for (int c = 0; c < k; c++) {
            List<Assignment> eligible = byCluster.get(c);
            eligible.sort(nearest);
            for (int r = 0; r < Math.min(m, eligible.size()); r++) {
                Assignment a = eligible.get(r);
                out.add(new TypicalSample(c, r, a.user(), a.rawUser(), a.distance(), a.interactions()));
            }
        }
        return out;
    }
}
