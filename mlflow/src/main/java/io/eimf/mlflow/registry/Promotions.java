package io.eimf.mlflow.registry;

import io.eimf.core.cli.EimfException;
import io.eimf.mlflow.tracking.MlflowNames;
import io.eimf.mlflow.tracking.RunTags;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Registration and gated promotion on any {@link ModelRegistry}: the logic behind {@code register} and {@code promote}. */
public final class Promotions {
    private Promotions() {}

    /** A gate refused a promotion: the message says which metric fell short (exit 1). */
    public static final class GateRefused extends EimfException {
        public GateRefused(String message) {
            super(message);
        }
    }

    /**
     * Registers the model at {@code artifactPath} of {@code runId} as a version of {@code name} (creating the model
     * if needed), tagged serving=behavioral-only, with the run's data hash and metrics ({@code metric.<key>}).
     */
    public static ModelRegistry.Created register(ModelRegistry reg, String runId, String artifactPath, String name)
            throws IOException {
        String source = reg.modelSource(runId, artifactPath);
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(ModelRegistry.SERVING_TAG, ModelRegistry.BEHAVIORAL_ONLY);
        Map<String, String> runTags = reg.runTags(runId);
        for (String k : List.of(RunTags.DATA_HASH, RunTags.BACKEND, RunTags.METRIC_VARIANT, RunTags.GIT_COMMIT)) {
            if (runTags.containsKey(k)) tags.put(k, runTags.get(k));
        }
        reg.runMetrics(runId).forEach((k, v) -> tags.put(MlflowNames.key(ModelRegistry.METRIC_TAG_PREFIX + k), String.valueOf(v)));
        reg.ensureModel(name, "EIMF IBIM model (behavioral multi-interest; serves without the LLM)");
        return reg.createVersion(name, source, runId, tags);
    }

    /**
     * Points {@code alias} at {@code version} if every gate passes; otherwise throws {@link GateRefused} and leaves
     * the alias where it was.
     *
     * @return lines describing what was checked and done
     */
    public static List<String> promote(ModelRegistry reg, String name, String version, String alias,
            List<PromotionGate> gates, String stage, boolean archiveExisting) {
        ModelVersionInfo v = reg.version(name, version)
                .orElseThrow(() -> new EimfException("model " + name + " has no version " + version + " on " + reg.location()));
        List<String> lines = new ArrayList<>();
        if (!gates.isEmpty()) {
            Map<String, Double> runMetrics = v.runId().isEmpty() ? Map.of() : reg.runMetrics(v.runId());
            List<String> failed = new ArrayList<>();
            for (PromotionGate g : gates) {
                PromotionGate.Outcome o = g.check(v, runMetrics);
                lines.add("gate " + g.metric() + g.op() + g.threshold() + ": " + o.message());
                if (!o.passed()) failed.add(o.message());
            }
            if (!failed.isEmpty()) {
                String current = alias == null ? null : reg.aliases(name).get(alias);
                throw new GateRefused("refusing to " + (alias != null ? "move alias '" + alias + "'" : "promote")
                        + " of " + name + " to version " + version + ": " + String.join("; ", failed)
                        + (alias != null ? " (alias stays " + (current == null ? "unset" : "on version " + current) + ")" : ""));
            }
        }
        if (alias != null) {
            String before = reg.aliases(name).get(alias);
            reg.setAlias(name, alias, version);
            lines.add(name + ": alias " + alias + " " + (before == null ? "set to version " + version
                    : before.equals(version) ? "already on version " + version : "moved from version " + before + " to " + version));
        }
        if (stage != null) {
            ModelVersionInfo after = reg.transitionStage(name, version, stage, archiveExisting);
            lines.add(name + ": version " + version + " stage " + v.stage() + " -> " + after.stage());
        }
        return lines;
    }
}
