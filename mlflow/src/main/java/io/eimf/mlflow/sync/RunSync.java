package io.eimf.mlflow.sync;

import io.eimf.core.io.ContentHash;
import io.eimf.mlflow.artifacts.MlflowModelFile;
import io.eimf.mlflow.local.CorruptRunException;
import io.eimf.mlflow.local.LocalFileStore;
import io.eimf.mlflow.local.LocalRun;
import io.eimf.mlflow.local.MetricPoint;
import io.eimf.mlflow.local.MlflowYaml;
import io.eimf.mlflow.rest.MlflowServer;
import io.eimf.mlflow.tracking.RunTags;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.mlflow.api.proto.Service;

/**
 * Uploads runs from a local file store to a server, incrementally and idempotently: each run is created once (its
 * local id is the create's idempotency key and is kept as tag {@code eimf.local_run_id} on the server), then only
 * the params, tags, metric points, artifact files, logged models and end status the server has not acknowledged
 * yet are sent ({@link SyncState}). Parents go before children so {@code mlflow.parentRunId} can be translated.
 * Against an MLflow 3 server ({@link MlflowServer#loggedModels()}) each model folder becomes a logged model linked
 * to its run, holding the folder's files, as MLflow 3's own {@code log_model} does; a 2.x server gets the files under
 * the run and {@code runs/log-model}.
 * The same code flushes a live run ({@link io.eimf.mlflow.tracking.RunTracker}) and backs {@code eimf mlflow sync}.
 */
public final class RunSync {
    /** Tags that are bookkeeping of the local copy or rebuilt by the server, never uploaded as tags. */
    private static final Set<String> LOCAL_ONLY = Set.of(RunTags.REMOTE_RUN_ID, RunTags.REMOTE_URI,
            RunTags.LOG_MODEL_HISTORY);

    private final LocalFileStore store;
    private final MlflowServer server;

    public RunSync(LocalFileStore store, MlflowServer server) {
        this.store = store;
        this.server = server;
    }

    /** Syncs every run of the store. */
    public SyncReport syncAll() throws IOException {
        return syncAll(null);
    }

    /** Syncs every run of the store, advancing {@code progress} (may be null) by one per run. */
    public SyncReport syncAll(io.eimf.core.progress.Progress progress) throws IOException {
        SyncReport total = SyncReport.EMPTY;
        Set<String> done = new HashSet<>();
        for (String id : store.runIds()) {
            try {
                total = total.plus(sync(id, done));
            } catch (CorruptRunException e) {
                // one unreadable run (a file torn by a kill mid-write) must not keep the others off the server
                total = total.withProblems(List.of(), List.of(e.getMessage()));
            }
            if (progress != null) progress.advance(1, total.recordsSent() + " records sent");
        }
        if (progress != null) progress.finish(total.recordsSent() + " records sent");
        return total;
    }

    /** Syncs one run (and, first, its unsynced ancestors). */
    public SyncReport syncRun(String localRunId) throws IOException {
        return sync(localRunId, new HashSet<>());
    }

    /** The server run a local run was uploaded to, if it was. */
    public String remoteRunId(String localRunId) throws IOException {
        return SyncState.load(store.runDir(localRunId)).server(server.uri()).runId;
    }

    private SyncReport sync(String localRunId, Set<String> done) throws IOException {
        if (!done.add(localRunId)) return SyncReport.EMPTY;
        SyncReport report = SyncReport.EMPTY;
        LocalRun run = store.readRun(localRunId);
        String parentLocal = run.tags().get(RunTags.PARENT_RUN_ID);
        String parentRemote = null;
        if (parentLocal != null && store.hasRun(parentLocal)) {
            report = report.plus(sync(parentLocal, done));
            parentRemote = remoteRunId(parentLocal);
        }
        Path dir = store.runDir(localRunId);
        SyncState state = SyncState.load(dir);
        SyncState.Server s = state.server(server.uri());
        int created = 0;
        if (s.runId == null) {
            s.experimentId = server.experimentId(run.experimentName());
            s.runId = server.createRun(s.experimentId, run.runName(), run.startTime(), Map.of(), localRunId);
            state.save(dir);
            store.setTag(localRunId, RunTags.REMOTE_RUN_ID, s.runId);
            store.setTag(localRunId, RunTags.REMOTE_URI, server.uri());
            created = 1;
            run = store.readRun(localRunId);
        }

        List<Service.Param> params = new ArrayList<>();
        run.params().forEach((k, v) -> {
            if (!s.params.contains(k)) params.add(Service.Param.newBuilder().setKey(k).setValue(v).build());
        });
        List<Service.RunTag> tags = new ArrayList<>();
        Map<String, String> sentTags = new java.util.TreeMap<>();
        for (Map.Entry<String, String> t : run.tags().entrySet()) {
            if (LOCAL_ONLY.contains(t.getKey())) continue;
            String v = t.getKey().equals(RunTags.PARENT_RUN_ID) && parentRemote != null ? parentRemote : t.getValue();
            if (!v.equals(s.tags.get(t.getKey()))) {
                tags.add(Service.RunTag.newBuilder().setKey(t.getKey()).setValue(v).build());
                sentTags.put(t.getKey(), v);
            }
        }
        List<Service.Metric> metrics = new ArrayList<>();
        Map<String, Integer> counts = new java.util.TreeMap<>();
        for (Map.Entry<String, List<MetricPoint>> e : run.metrics().entrySet()) {
            int already = s.metricPoints.getOrDefault(e.getKey(), 0);
            List<MetricPoint> pts = e.getValue();
            for (int i = already; i < pts.size(); i++) {
                MetricPoint p = pts.get(i);
                metrics.add(Service.Metric.newBuilder().setKey(p.key()).setValue(p.value())
                        .setTimestamp(p.timestamp()).setStep(p.step()).build());
            }
            counts.put(e.getKey(), pts.size());
        }
        if (!params.isEmpty() || !tags.isEmpty() || !metrics.isEmpty()) {
            server.logBatch(s.runId, metrics, params, tags);
            params.forEach(p -> s.params.add(p.getKey()));
            s.tags.putAll(sentTags);
            s.metricPoints.putAll(counts);
            state.save(dir);
        }

        int files = 0;
        int models = 0;
        if (Files.isDirectory(run.artifactsDir())) {
            String root = null;
            boolean restamped = false;
            List<Path> all;
            try (Stream<Path> w = Files.walk(run.artifactsDir())) {
                all = w.filter(Files::isRegularFile).sorted().toList();
            }
            // Model folders: on an MLflow 3 server each becomes a logged model that holds its files (not the run).
            List<String> modelPaths = new ArrayList<>();
            for (Path f : all) {
                if (!f.getFileName().toString().equals(MlflowModelFile.FILE)) continue;
                String mp = run.artifactsDir().relativize(f.getParent()).toString().replace('\\', '/');
                if (!mp.isEmpty()) modelPaths.add(mp);
            }
            // Which model folders go to a logged model: those already there, and new ones when the server has them.
            List<String> lmPaths = new ArrayList<>();
            Map<String, MlflowServer.LoggedModel> logged = new java.util.HashMap<>();
            for (String mp : modelPaths) {
                if (s.loggedModels.containsKey(mp)) {
                    lmPaths.add(mp);
                } else if (!s.models.contains(mp) && server.loggedModels()) {
                    MlflowServer.LoggedModel lm = server.createLoggedModel(s.experimentId, s.runId, mp,
                            MlflowModelFile.FLAVOR, Map.of(RunTags.LOCAL_RUN_ID, localRunId), run.params());
                    logged.put(mp, lm);
                    s.loggedModels.put(mp, lm.modelId());
                    state.save(dir);
                    lmPaths.add(mp);
                }
            }
            for (Path f : all) {
                String rel = run.artifactsDir().relativize(f).toString().replace('\\', '/');
                String stamp = Files.size(f) + ":" + Files.getLastModifiedTime(f).toMillis();
                if (s.artifacts.containsKey(rel) && stamp.equals(s.artifactStamps.get(rel))) continue;
                String sha = ContentHash.ofFile(f);
                if (sha.equals(s.artifacts.get(rel))) {
                    s.artifactStamps.put(rel, stamp);
                    restamped = true;
                    continue;
                }
                String owner = lmPaths.stream().filter(mp -> rel.startsWith(mp + "/")).findFirst().orElse(null);
                String dest;
                if (owner != null) {
                    MlflowServer.LoggedModel lm = logged.computeIfAbsent(owner,
                            mp -> server.getLoggedModel(s.loggedModels.get(mp)));
                    dest = MlflowServer.proxiedPath(lm.artifactUri(), "logged model " + lm.modelId())
                            + "/" + rel.substring(owner.length() + 1);
                } else {
                    if (root == null) root = server.artifactRoot(s.runId);
                    dest = root + "/" + rel;
                }
                if (f.getFileName().toString().equals(MlflowModelFile.FILE)) {
                    // The server's copy names the server's run (and on MLflow 3 the logged model and its location),
                    // as MLflow's own log_model would have written it.
                    Map<String, Object> mm = MlflowModelFile.read(f);
                    mm.put("run_id", s.runId);
                    if (owner != null) {
                        mm.put("model_id", logged.get(owner).modelId());
                        mm.put("artifact_path", logged.get(owner).artifactUri());
                    }
                    Path tmp = Files.createTempFile("MLmodel", ".yaml");
                    try {
                        Files.writeString(tmp, MlflowYaml.render(mm));
                        server.upload(dest, tmp);
                    } finally {
                        Files.deleteIfExists(tmp);
                    }
                } else {
                    server.upload(dest, f);
                }
                s.artifacts.put(rel, sha);
                s.artifactStamps.put(rel, stamp);
                files++;
                if (files % 20 == 0) state.save(dir);
            }
            if (files > 0 || restamped) state.save(dir);
            for (Path f : all) {
                if (!f.getFileName().toString().equals(MlflowModelFile.FILE)) continue;
                String modelPath = run.artifactsDir().relativize(f.getParent()).toString().replace('\\', '/');
                if (s.models.contains(modelPath)) continue;
                if (s.loggedModels.containsKey(modelPath)) {
                    // MLflow 3: the model is an output of its run and READY once all its files are in.
                    server.logOutput(s.runId, s.loggedModels.get(modelPath), 0);
                    server.finalizeLoggedModel(s.loggedModels.get(modelPath));
                } else {
                    server.logModel(s.runId, MlflowModelFile.toJson(MlflowModelFile.read(f), s.runId));
                }
                s.models.add(modelPath);
                state.save(dir);
                models++;
            }
        }

        int ended = 0;
        int running = 0;
        if (run.status().terminal()) {
            if (!run.status().name().equals(s.status)) {
                server.endRun(s.runId, Service.RunStatus.valueOf(run.status().name()),
                        run.endTime() > 0 ? run.endTime() : System.currentTimeMillis());
                s.status = run.status().name();
                state.save(dir);
                ended = 1;
            }
        } else {
            running = 1;
        }
        if (!run.droppedTails().isEmpty()) report = report.withProblems(run.droppedTails(), List.of());
        int sent = created + params.size() + tags.size() + metrics.size() + files + models + ended;
        return report.plus(new SyncReport(created, sent == 0 ? 1 : 0, params.size(), tags.size(), metrics.size(),
                files, models, ended, running));
    }
}
