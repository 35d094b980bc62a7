package io.eimf.mlflow.registry;

import java.util.List;
import java.util.Map;

/**
 * One registered model version as either registry reports it.
 *
 * @param source where its files are (an mlflow-artifacts: URI on a server, a file: URI locally)
 * @param stage the legacy stage (None, Staging, Production, Archived)
 */
public record ModelVersionInfo(String name, String version, String source, String runId, String stage,
        String status, long creationTimestamp, Map<String, String> tags, List<String> aliases) {

    /** Version tags that carry metrics ({@code metric.<key>}), as key to value. */
    public Map<String, Double> metricTags() {
        Map<String, Double> out = new java.util.TreeMap<>();
        tags.forEach((k, v) -> {
            if (k.startsWith(ModelRegistry.METRIC_TAG_PREFIX)) {
                try {
                    out.put(k.substring(ModelRegistry.METRIC_TAG_PREFIX.length()), Double.parseDouble(v));
                } catch (NumberFormatException ignored) {
                    // a hand-set tag that is not a number is not a metric
                }
            }
        });
        return out;
    }
}
