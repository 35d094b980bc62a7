package io.eimf.mlflow.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.cli.EimfException;
import java.io.Closeable;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.MlflowHttpException;

/**
 * One MLflow tracking server, reached two ways on purpose. {@code mlflow-client}'s {@link MlflowClient} carries the
 * calls that are safe to repeat (reads, log-batch, update-run): its own blind re-sends cannot create anything. Every
 * create (experiment, run) and everything the Java client lacks (log-model, artifacts through the mlflow-artifacts
 * proxy) goes through {@link MlflowRestClient} under {@link RetryPolicy}, which never re-sends a create before
 * checking that the first attempt did not already land.
 */
public final class MlflowServer implements Closeable {
    /** The run tag that carries the client-generated idempotency key of a create-run. */
    public static final String IDEMPOTENCY_TAG = "eimf.local_run_id";
    /** log-batch limits of MLflow 2.x: at most 1000 metrics, 100 params, 100 tags, 1000 entries in all. */
    static final int MAX_METRICS = 1000;
    static final int MAX_PARAMS = 100;
    static final int MAX_TAGS = 100;

    /**
     * mlflow-client's shaded Apache HTTP client logs every connection retry at INFO through java.util.logging, which
     * floods stderr while a server is down; our own warning says it once. Held here so the setting is not collected.
     */
    private static final java.util.logging.Logger APACHE_HTTP_LOG = quiet("org.mlflow_project.apachehttp");

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger l = java.util.logging.Logger.getLogger(name);
        l.setLevel(java.util.logging.Level.WARNING);
        return l;
    }

    private final String uri;
    private final MlflowRestClient rest;
    private final MlflowClient client;
    private final RetryPolicy policy;
    private Boolean loggedModels;

    /** A server at {@code uri} with the default retry policy. */
    public MlflowServer(String uri) {
        this(uri, RetryPolicy.defaults());
    }

    public MlflowServer(String uri, RetryPolicy policy) {
        this.uri = uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
        this.rest = new MlflowRestClient(this.uri);
        this.client = new MlflowClient(this.uri);
        this.policy = policy;
    }

    /** The tracking URI. */
    public String uri() {
        return uri;
    }

    /** The raw REST client (registry writes, aliases, artifacts). */
    public MlflowRestClient rest() {
        return rest;
    }

    /** The retry policy. */
    public RetryPolicy policy() {
        return policy;
    }

    /** The experiment's id, creating it (once, even across a 5xx) if it does not exist. */
    public String experimentId(String name) {
        Optional<String> found = findExperiment(name);
        if (found.isPresent()) return found.get();
        return policy.create(
                () -> rest.post("mlflow/experiments/create", MlflowRestClient.body("name", name))
                        .path("experiment_id").asText(),
                () -> findExperiment(name));
    }

    private Optional<String> findExperiment(String name) {
        return policy.idempotent(() -> viaClient(() -> {
            try {
                return client.getExperimentByName(name).map(Service.Experiment::getExperimentId);
            } catch (MlflowHttpException e) {
                if (e.getStatusCode() == 404) return Optional.<String>empty();
                throw e;
            }
        }));
    }

    /**
     * Creates a run tagged with {@code idempotencyKey}; a re-send after a transient failure first searches the
     * experiment for a run carrying that key, so the server never ends up with two.
     *
     * @return the run's id
     */
    public String createRun(String experimentId, String runName, long startTime, Map<String, String> tags,
            String idempotencyKey) {
        Map<String, String> all = new LinkedHashMap<>(tags);
        all.put(IDEMPOTENCY_TAG, idempotencyKey);
        List<Map<String, Object>> tagList = new ArrayList<>();
        all.forEach((k, v) -> tagList.add(MlflowRestClient.body("key", k, "value", v)));
        Map<String, Object> body = MlflowRestClient.body("experiment_id", experimentId, "run_name", runName,
                "start_time", startTime, "tags", tagList);
        return policy.create(
                () -> rest.post("mlflow/runs/create", body).path("run").path("info").path("run_id").asText(),
                () -> findRunByKey(experimentId, idempotencyKey));
    }

    /** The run carrying {@code idempotencyKey} in the experiment, if any. */
    public Optional<String> findRunByKey(String experimentId, String idempotencyKey) {
        String filter = "tags.`" + IDEMPOTENCY_TAG + "` = '" + idempotencyKey.replace("'", "") + "'";
        List<Service.RunInfo> runs = policy.idempotent(() -> viaClient(() -> client.searchRuns(List.of(experimentId), filter)));
        if (runs.size() > 1) {
            throw new EimfException("MLflow server " + uri + " holds " + runs.size() + " runs tagged "
                    + IDEMPOTENCY_TAG + "=" + idempotencyKey + "; expected at most one");
        }
        return runs.stream().findFirst().map(Service.RunInfo::getRunId);
    }

    /** A run's info, data and tags. */
    public Service.Run getRun(String runId) {
        return policy.idempotent(() -> viaClient(() -> client.getRun(runId)));
    }

    /** Logs metrics, params and tags in as many log-batch calls as MLflow's limits need. */
    public void logBatch(String runId, List<Service.Metric> metrics, List<Service.Param> params, List<Service.RunTag> tags) {
        int m = 0;
        int p = 0;
        int t = 0;
        while (m < metrics.size() || p < params.size() || t < tags.size()) {
            int np = Math.min(MAX_PARAMS, params.size() - p);
            int nt = Math.min(MAX_TAGS, tags.size() - t);
            int nm = Math.min(MAX_METRICS - np - nt, metrics.size() - m);
            List<Service.Metric> bm = metrics.subList(m, m + nm);
            List<Service.Param> bp = params.subList(p, p + np);
            List<Service.RunTag> bt = tags.subList(t, t + nt);
            policy.idempotentRun(() -> viaClient(() -> {
                client.logBatch(runId, bm, bp, bt);
                return null;
            }));
            m += nm;
            p += np;
            t += nt;
        }
    }

    /** Ends a run with a status and end time (update-run is idempotent). */
    public void endRun(String runId, Service.RunStatus status, long endTime) {
        policy.idempotentRun(() -> viaClient(() -> {
            client.setTerminated(runId, status, endTime);
            return null;
        }));
    }

    /** Records a logged model on the run ({@code runs/log-model}) so the UI shows it as a model. */
    public void logModel(String runId, String modelJson) {
        policy.idempotentRun(() -> rest.post("mlflow/runs/log-model",
                MlflowRestClient.body("run_id", runId, "model_json", modelJson)));
    }

    /**
     * Whether the server has MLflow 3's first-class models ({@code logged-models} endpoints): probed once with a
     * search, which a 2.x server answers 404. Decides how {@link io.eimf.mlflow.sync.RunSync} logs a model.
     */
    public synchronized boolean loggedModels() {
        if (loggedModels == null) {
            try {
                policy.idempotent(() -> rest.post("mlflow/logged-models/search",
                        MlflowRestClient.body("experiment_ids", List.of("0"), "max_results", 1)));
                loggedModels = true;
            } catch (MlflowApiException e) {
                if (!e.isNotFound()) throw e;
                loggedModels = false;
            }
        }
        return loggedModels;
    }

    /** An MLflow 3 logged model: id, artifact location (mlflow-artifacts URI), status, source run. */
    public record LoggedModel(String modelId, String name, String artifactUri, String status, String sourceRunId) {
        static LoggedModel parse(JsonNode info) {
            return new LoggedModel(info.path("model_id").asText(), info.path("name").asText(),
                    info.path("artifact_uri").asText(), info.path("status").asText(), info.path("source_run_id").asText());
        }
    }

    /**
     * Creates the logged model {@code name} of run {@code runId} (MLflow 3), or returns the one that run already has
     * under that name: the lookup runs before the create and before any re-send, so a 503 after the server applied
     * the create never leaves two.
     */
    public LoggedModel createLoggedModel(String experimentId, String runId, String name, String modelType,
            Map<String, String> tags, Map<String, String> params) {
        Optional<LoggedModel> found = findLoggedModel(experimentId, runId, name);
        if (found.isPresent()) return found.get();
        List<Map<String, Object>> tagList = new ArrayList<>();
        tags.forEach((k, v) -> tagList.add(MlflowRestClient.body("key", k, "value", v)));
        // Like MLflow 3's log_model, the model carries its run's params (the Logged Models page shows them); the
        // create takes at most MAX_PARAMS, the rest go through logged-models/<id>/params afterwards.
        List<Map<String, Object>> paramList = new ArrayList<>();
        params.forEach((k, v) -> paramList.add(MlflowRestClient.body("key", k, "value", v)));
        List<Map<String, Object>> first = paramList.subList(0, Math.min(MAX_PARAMS, paramList.size()));
        Map<String, Object> body = MlflowRestClient.body("experiment_id", experimentId, "name", name,
                "model_type", modelType, "source_run_id", runId, "tags", tagList, "params", first);
        LoggedModel created = policy.create(
                () -> LoggedModel.parse(rest.post("mlflow/logged-models", body).path("model").path("info")),
                () -> findLoggedModel(experimentId, runId, name));
        for (int i = MAX_PARAMS; i < paramList.size(); i += MAX_PARAMS) {
            List<Map<String, Object>> batch = paramList.subList(i, Math.min(i + MAX_PARAMS, paramList.size()));
            policy.idempotentRun(() -> rest.post("mlflow/logged-models/" + created.modelId() + "/params",
                    MlflowRestClient.body("model_id", created.modelId(), "params", batch)));
        }
        return created;
    }

    /** The logged model named {@code name} whose source run is {@code runId}, if any (the oldest if several). */
    public Optional<LoggedModel> findLoggedModel(String experimentId, String runId, String name) {
        String filter = "source_run_id = '" + runId.replace("'", "") + "'";
        JsonNode r = policy.idempotent(() -> rest.post("mlflow/logged-models/search", MlflowRestClient.body(
                "experiment_ids", List.of(experimentId), "filter", filter, "max_results", 100)));
        LoggedModel best = null;
        long bestTs = Long.MAX_VALUE;
        for (JsonNode m : r.path("models")) {
            JsonNode info = m.path("info");
            if (!info.path("name").asText().equals(name)) continue;
            long ts = info.path("creation_timestamp_ms").asLong(0);
            if (best == null || ts < bestTs) {
                best = LoggedModel.parse(info);
                bestTs = ts;
            }
        }
        return Optional.ofNullable(best);
    }

    /** One logged model by id. */
    public LoggedModel getLoggedModel(String modelId) {
        return LoggedModel.parse(policy.idempotent(() -> rest.get("mlflow/logged-models/" + modelId, Map.of()))
                .path("model").path("info"));
    }

    /** Marks a logged model READY (MLflow 3's finalize; repeating it is harmless). */
    public void finalizeLoggedModel(String modelId) {
        policy.idempotentRun(() -> rest.patch("mlflow/logged-models/" + modelId,
                MlflowRestClient.body("model_id", modelId, "status", "LOGGED_MODEL_READY")));
    }

    /** Links a logged model to its run as an output at {@code step} ({@code runs/outputs}; idempotent on the server). */
    public void logOutput(String runId, String modelId, long step) {
        policy.idempotentRun(() -> rest.post("mlflow/runs/outputs", MlflowRestClient.body("run_id", runId,
                "models", List.of(MlflowRestClient.body("model_id", modelId, "step", step)))));
    }

    /**
     * The run's artifact root as a path under the server's mlflow-artifacts proxy, e.g. {@code 0/<run>/artifacts}.
     * Fails with advice when the server does not proxy artifacts.
     */
    public String artifactRoot(String runId) {
        return proxiedPath(getRun(runId).getInfo().getArtifactUri(), "run " + runId);
    }

    /** The proxy path of an {@code mlflow-artifacts:} or proxy http(s) URI. */
    public static String proxiedPath(String artifactUri, String what) {
        URI u = URI.create(artifactUri);
        if ("mlflow-artifacts".equals(u.getScheme())) return strip(u.getPath());
        String anchor = "/api/2.0/mlflow-artifacts/artifacts/";
        if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getPath().contains(anchor)) {
            return strip(u.getPath().substring(u.getPath().indexOf(anchor) + anchor.length()));
        }
        throw new EimfException(what + " stores artifacts at '" + artifactUri + "', which this client cannot reach"
                + " without Python; start the server with 'mlflow server --serve-artifacts' so artifacts go through"
                + " its mlflow-artifacts proxy");
    }

    private static String strip(String p) {
        while (p.startsWith("/")) p = p.substring(1);
        while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p;
    }

    /** Uploads one file to a proxy path. */
    public void upload(String proxyPath, Path file) {
        policy.idempotentRun(() -> rest.uploadArtifact(proxyPath, file));
    }

    /** Lists a proxy folder. */
    public List<MlflowRestClient.ArtifactEntry> list(String proxyPath) {
        return policy.idempotent(() -> rest.listArtifacts(proxyPath));
    }

    /** Downloads one proxy file. */
    public void download(String proxyPath, Path target) {
        policy.idempotentRun(() -> rest.downloadArtifact(proxyPath, target));
    }

    /** Downloads one proxy file of at most {@code maxBytes}, all of it before {@code deadline}. */
    public void download(String proxyPath, Path target, long maxBytes, java.time.Instant deadline) {
        policy.idempotentRun(() -> rest.downloadArtifact(proxyPath, target, maxBytes, deadline));
    }

    /** Maps mlflow-client's exceptions onto {@link MlflowApiException} so one policy judges them. */
    private <T> T viaClient(Supplier<T> call) {
        try {
            return call.get();
        } catch (MlflowHttpException e) {
            String body = e.getBodyMessage() == null ? "" : e.getBodyMessage();
            String code = "";
            try {
                JsonNode n = io.eimf.core.json.Json.mapper().readTree(body);
                if (n != null) code = n.path("error_code").asText("");
            } catch (Exception ignored) {
                // not JSON
            }
            throw new MlflowApiException(e.getStatusCode(), code, "MLflow " + uri + ": HTTP " + e.getStatusCode()
                    + " " + (body.length() > 300 ? body.substring(0, 300) : body), e);
        } catch (MlflowClientException e) {
            throw new MlflowApiException(0, "", "MLflow server " + uri + " unreachable: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
