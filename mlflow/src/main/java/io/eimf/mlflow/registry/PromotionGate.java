package io.eimf.mlflow.registry;

import io.eimf.core.cli.UsageException;
import io.eimf.mlflow.tracking.MlflowNames;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One promotion requirement such as {@code test.recall@50>=0.08}: a metric, a comparison, a threshold. The metric
 * name goes through {@link MlflowNames#key} ({@code test.recall_at_50}) and is looked up first in the version's
 * {@code metric.*} tags (copied from the run at registration), then in its run's latest metrics.
 */
public record PromotionGate(String metric, String key, String op, double threshold) {
    private static final Pattern P = Pattern.compile("^\\s*([^<>=!\\s]+)\\s*(>=|<=|==|>|<)\\s*([-+0-9.eE]+|nan|inf)\\s*$");

    /** Parses {@code metric OP number}; a usage error names the expected form. */
    public static PromotionGate parse(String expr) {
        Matcher m = P.matcher(expr);
        if (!m.matches()) {
            throw new UsageException("--require must look like 'test.recall@50>=0.08' (ops >= > <= < ==), got '" + expr + "'");
        }
        double t;
        try {
            t = Double.parseDouble(m.group(3));
        } catch (NumberFormatException e) {
            throw new UsageException("--require threshold is not a number in '" + expr + "'");
        }
        return new PromotionGate(m.group(1), MlflowNames.key(m.group(1)), m.group(2), t);
    }

    /** The outcome of checking one gate. */
    public record Outcome(boolean passed, String message) {}

    /** Checks the gate against a version's metric tags and its run's metrics. */
    public Outcome check(ModelVersionInfo v, Map<String, Double> runMetrics) {
        Optional<Double> fromTag = Optional.ofNullable(v.metricTags().get(key));
        Double value = fromTag.orElse(runMetrics.get(key));
        String where = fromTag.isPresent() ? "version tag " + ModelRegistry.METRIC_TAG_PREFIX + key
                : "run " + v.runId() + " metric " + key;
        if (value == null) {
            return new Outcome(false, "version " + v.version() + " of " + v.name() + " has no metric '" + key
                    + "' (looked in version tag " + ModelRegistry.METRIC_TAG_PREFIX + key + " and run " + v.runId()
                    + "'s metrics)");
        }
        boolean ok = switch (op) {
            case ">=" -> value >= threshold;
            case ">" -> value > threshold;
            case "<=" -> value <= threshold;
            case "<" -> value < threshold;
            default -> value == threshold;
        };
        String text = key + " = " + value + " " + (ok ? "satisfies" : "fails") + " " + op + " " + threshold + " (" + where + ")";
        return new Outcome(ok, text);
    }
}
