package io.eimf.mlflow.local;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One run as read back from the local file store.
 *
 * @param metrics every logged point per key, in logging order
 * @param droppedTails torn last lines of metric files (appends cut by a kill) left out of {@code metrics}, each
 *     naming its file
 */
public record LocalRun(String runId, String experimentId, String experimentName, String runName, RunStatus status,
        long startTime, long endTime, Map<String, String> params, Map<String, String> tags,
        Map<String, List<MetricPoint>> metrics, Path artifactsDir, List<String> droppedTails) {

    /** The last logged value of each metric (highest step, then latest timestamp), as MLflow reports it. */
    public Map<String, Double> latestMetrics() {
        Map<String, Double> out = new java.util.TreeMap<>();
        metrics.forEach((k, pts) -> {
            MetricPoint best = null;
            for (MetricPoint p : pts) {
                if (best == null || p.step() > best.step() || (p.step() == best.step() && p.timestamp() >= best.timestamp())) {
                    best = p;
                }
            }
            if (best != null) out.put(k, best.value());
        });
        return out;
    }
}
