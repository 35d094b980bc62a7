package io.eimf.mlflow.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.json.Json;
import io.eimf.mlflow.artifacts.MlflowModelFile;
import io.eimf.mlflow.artifacts.ModelDescriptor;
import io.eimf.mlflow.artifacts.TrainingCurves;
import io.eimf.mlflow.local.LocalFileStore;
import io.eimf.mlflow.local.RunStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * One live run: params, metrics, tags, artifacts and the logged model go to the local store at once and to the
 * server on the tracker's next flush. Keys are mapped to MLflow's allowed characters with {@link MlflowNames#key}.
 * Closing a run that is still running ends it FINISHED; call {@link #end} with FAILED on errors.
 */
public final class TrackedRun implements AutoCloseable {
    private final RunTracker tracker;
    private final String runId;
    private final String experimentId;
    private boolean ended;

    TrackedRun(RunTracker tracker, String runId, String experimentId) {
        this.tracker = tracker;
        this.runId = runId;
        this.experimentId = experimentId;
    }

    /** The local run id (the server's id differs; see the run's eimf.sync.remote_run_id tag after a flush). */
    public String runId() {
        return runId;
    }

    /** The local experiment id. */
    public String experimentId() {
        return experimentId;
    }

    /** The run's artifact folder in the local store. */
    public Path artifactsDir() {
        return store().artifactsDir(runId);
    }

    /** Starts a nested run (tag mlflow.parentRunId). */
    public TrackedRun startChild(String runName) {
        return tracker.startRun(runName, Map.of(), this);
    }

    /** Logs one param; values longer than MLflow's 6000 characters are cut with a warning. */
    public TrackedRun logParam(String key, Object value) {
        String v = String.valueOf(value);
        if (v.length() > MlflowNames.MAX_PARAM_VALUE_LENGTH) {
            tracker.log().println("[mlflow] param " + key + " is " + v.length() + " chars; MLflow keeps "
                    + MlflowNames.MAX_PARAM_VALUE_LENGTH + ", cut (the full config is in artifact config/)");
            v = v.substring(0, MlflowNames.MAX_PARAM_VALUE_LENGTH);
        }
        String k = MlflowNames.key(key);
        String fv = v;
        io(() -> store().logParam(runId, k, fv));
        tracker.changed(runId, false);
        return this;
    }

    /** Logs several params. */
    public TrackedRun logParams(Map<String, ?> params) {
        params.forEach(this::logParam);
        return this;
    }

    /**
     * Logs a whole resolved config: flattened into params ({@code a.b.c}, array elements as {@code a.0}) and kept
     * whole as artifact {@code config/resolved-config.json}.
     */
    public TrackedRun logConfig(JsonNode config) {
        Map<String, String> flat = new TreeMap<>();
        flatten("", config, flat);
        logParams(flat);
        logText("config/resolved-config.json", Json.pretty(config));
        return this;
    }

    static void flatten(String prefix, JsonNode n, Map<String, String> out) {
        if (n.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) flatten(prefix + "." + i, n.get(i), out);
            if (n.isEmpty() && !prefix.isEmpty()) out.put(prefix, "[]");
        } else if (!prefix.isEmpty()) {
            out.put(prefix, n.isNull() ? "null" : n.asText());
        }
    }

    /** Logs a metric value at a step, timestamped now. */
    public TrackedRun logMetric(String name, double value, long step) {
        return logMetric(name, value, step, System.currentTimeMillis());
    }

    /** Logs a metric value at a step with an explicit timestamp (epoch ms). */
    public TrackedRun logMetric(String name, double value, long step, long timestamp) {
        String k = MlflowNames.key(name);
        io(() -> store().logMetric(runId, k, value, timestamp, step));
        tracker.changed(runId, false);
        return this;
    }

    /** Logs several metrics at one step (e.g. an evaluation's Recall/HitRate/NDCG @20/@50). */
    public TrackedRun logMetrics(Map<String, ? extends Number> metrics, long step) {
        long ts = System.currentTimeMillis();
        metrics.forEach((k, v) -> logMetric(k, v.doubleValue(), step, ts));
        return this;
    }

    /** Sets a tag (overwrites). */
    public TrackedRun setTag(String key, String value) {
        String k = MlflowNames.key(key);
        io(() -> store().setTag(runId, k, value));
        tracker.changed(runId, false);
        return this;
    }

    /** Sets several tags. */
    public TrackedRun setTags(Map<String, String> tags) {
        tags.forEach(this::setTag);
        return this;
    }

    /** Logs LLM cost totals: metrics llm.calls, llm.cache_hits, llm.*_tokens, llm.wall_seconds; provider/model tags. */
    public TrackedRun logLlmCost(LlmCost c) {
        long ts = System.currentTimeMillis();
        logMetric("llm.calls", c.calls(), 0, ts);
        logMetric("llm.cache_hits", c.cacheHits(), 0, ts);
        logMetric("llm.prompt_tokens", c.promptTokens(), 0, ts);
        logMetric("llm.completion_tokens", c.completionTokens(), 0, ts);
        logMetric("llm.wall_seconds", c.wallSeconds(), 0, ts);
        if (c.provider() != null) setTag(RunTags.SEMANTIC_PROVIDER, c.provider());
        if (c.model() != null) setTag(RunTags.SEMANTIC_MODEL, c.model());
        return this;
    }

    /** Copies a file into the run's artifacts under {@code artifactDir} ("" for the root). */
    public TrackedRun logArtifact(Path file, String artifactDir) {
        Path target = resolveArtifact(artifactDir).resolve(file.getFileName().toString());
        io(() -> AtomicOutput.file(target, tmp -> Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING)));
        tracker.changed(runId, true);
        return this;
    }

    /** Copies a folder's contents into the run's artifacts under {@code artifactDir}. */
    public TrackedRun logArtifacts(Path dir, String artifactDir) {
        Path target = resolveArtifact(artifactDir);
        io(() -> copyTree(dir, target));
        tracker.changed(runId, true);
        return this;
    }

    /** Writes a text artifact at {@code artifactFile} (e.g. "metrics.json"). */
    public TrackedRun logText(String artifactFile, String content) {
        Path target = resolveArtifact(artifactFile);
        io(() -> AtomicOutput.text(target, content));
        tracker.changed(runId, true);
        return this;
    }

    /** Writes an object as a pretty JSON artifact (e.g. the evaluation's metrics JSON). */
    public TrackedRun logJson(String artifactFile, Object value) {
        return logText(artifactFile, Json.pretty(value));
    }

    /**
     * Logs an IBIM model folder as an MLflow model at {@code artifactPath}: the folder is copied, an {@code MLmodel}
     * with the {@code eimf_ibim} flavor (no python_function, a {@code files} map of SHA-256 and size of every file of
     * the copy, checked against the descriptor's) is added to the copy, and the model is recorded in the
     * run's {@code mlflow.log-model.history} tag locally and through {@code runs/log-model} on the server.
     */
    public TrackedRun logModel(Path modelDir, String artifactPath, ModelDescriptor descriptor) {
        if (!Files.isDirectory(modelDir)) throw new io.eimf.core.cli.EimfException("model folder " + modelDir + " does not exist");
        Path target = resolveArtifact(artifactPath);
        io(() -> {
            copyTree(modelDir, target);
            Map<String, Object> mlmodel = MlflowModelFile.content(artifactPath, runId, descriptor,
                    MlflowModelFile.filesOf(target, descriptor));
            MlflowModelFile.write(target, mlmodel);
            // The file store records logged models in this tag, as MLflow's FileStore.record_logged_model does.
            Path tagFile = store().runDir(runId).resolve("tags").resolve(RunTags.LOG_MODEL_HISTORY);
            List<Object> history = new ArrayList<>();
            if (Files.exists(tagFile)) history.addAll(Json.mapper().readValue(tagFile.toFile(), List.class));
            history.add(Json.mapper().readValue(MlflowModelFile.toJson(mlmodel, runId), Map.class));
            store().setTag(runId, RunTags.LOG_MODEL_HISTORY, Json.write(history));
        });
        tracker.changed(runId, true);
        return this;
    }

    /** Draws every metric with two or more points as a PNG under {@code artifactDir} (e.g. "curves"). */
    public List<Path> logTrainingCurves(String artifactDir) {
        List<Path> files = new ArrayList<>();
        io(() -> files.addAll(TrainingCurves.write(store().readRun(runId).metrics(), resolveArtifact(artifactDir))));
        tracker.changed(runId, true);
        return files;
    }

    /** Ends the run with a status and flushes it. */
    public synchronized void end(RunStatus status) {
        if (ended) return;
        if (!status.terminal()) throw new IllegalArgumentException("end status must be FINISHED, FAILED or KILLED");
        io(() -> store().endRun(runId, status, System.currentTimeMillis()));
        ended = true;
        tracker.changed(runId, true);
    }

    /** Ends the run FINISHED unless it was already ended. */
    @Override
    public void close() {
        end(RunStatus.FINISHED);
    }

    private LocalFileStore store() {
        return tracker.store();
    }

    private Path resolveArtifact(String rel) {
        Path base = artifactsDir();
        Path p = rel == null || rel.isEmpty() ? base : base.resolve(rel).normalize();
        if (!p.startsWith(base)) throw new IllegalArgumentException("artifact path escapes the run: " + rel);
        return p;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> w = Files.walk(from)) {
            for (Path p : (Iterable<Path>) w::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.createDirectories(t.getParent());
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private interface IoWork {
        void run() throws IOException;
    }

    private static void io(IoWork w) {
        try {
            w.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
