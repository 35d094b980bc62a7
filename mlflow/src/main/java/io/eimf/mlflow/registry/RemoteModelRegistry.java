package io.eimf.mlflow.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.cli.EimfException;
import io.eimf.mlflow.artifacts.MlflowModelFile;
import io.eimf.mlflow.rest.MlflowApiException;
import io.eimf.mlflow.rest.MlflowRestClient;
import io.eimf.mlflow.rest.MlflowServer;
import io.eimf.mlflow.rest.RetryPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.mlflow.api.proto.Service;

/**
 * The registry of an MLflow server, over REST ({@code mlflow-client} has no registry writes or aliases). Creates
 * go through {@link RetryPolicy#create}: a registered model is looked up by its unique name, a version by
 * {@code name + run_id + source}, before any re-send.
 */
public final class RemoteModelRegistry implements ModelRegistry {
    private final MlflowServer server;
    private final MlflowRestClient rest;
    private final RetryPolicy policy;

    public RemoteModelRegistry(MlflowServer server) {
        this.server = server;
        this.rest = server.rest();
        this.policy = server.policy();
    }

    @Override
    public String location() {
        return server.uri();
    }

    @Override
    public void ensureModel(String name, String description) {
        if (registeredModel(name).isPresent()) return;
        policy.create(() -> rest.post("mlflow/registered-models/create",
                        MlflowRestClient.body("name", name, "description", description)).path("registered_model"),
                () -> registeredModel(name));
    }

    private Optional<JsonNode> registeredModel(String name) {
        try {
            return Optional.of(policy.idempotent(() -> rest.get("mlflow/registered-models/get", Map.of("name", name)))
                    .path("registered_model"));
        } catch (MlflowApiException e) {
            if (e.isNotFound()) return Optional.empty();
            throw e;
        }
    }

    @Override
    public Created createVersion(String name, String source, String runId, Map<String, String> tags) {
        Optional<ModelVersionInfo> existing = findVersion(name, runId, source);
        if (existing.isPresent()) return new Created(existing.get(), false);
        List<Map<String, Object>> tagList = new ArrayList<>();
        tags.forEach((k, v) -> tagList.add(MlflowRestClient.body("key", k, "value", v)));
        Map<String, Object> body = MlflowRestClient.body("name", name, "source", source, "run_id", runId, "tags", tagList);
        // An MLflow 3 source models:/<model_id> also names the logged model the version is registered from.
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("models:/(m-[0-9a-f]+)").matcher(source);
        if (m.matches()) body.put("model_id", m.group(1));
        ModelVersionInfo v = policy.create(
                () -> parse(rest.post("mlflow/model-versions/create", body).path("model_version")),
                () -> findVersion(name, runId, source));
        return new Created(v, true);
    }

    private Optional<ModelVersionInfo> findVersion(String name, String runId, String source) {
        return search("name='" + q(name) + "' and run_id='" + q(runId) + "'").stream()
                .filter(v -> v.name().equals(name) && v.source().equals(source))
                .min(Comparator.comparingInt(v -> Integer.parseInt(v.version())));
    }

    private List<ModelVersionInfo> search(String filter) {
        List<ModelVersionInfo> out = new ArrayList<>();
        String token = null;
        do {
            Map<String, String> q = new HashMap<>(Map.of("filter", filter, "max_results", "1000"));
            if (token != null) q.put("page_token", token);
            JsonNode r = policy.idempotent(() -> rest.get("mlflow/model-versions/search", q));
            for (JsonNode mv : r.path("model_versions")) out.add(parse(mv));
            token = r.path("next_page_token").asText("");
        } while (!token.isEmpty());
        return out;
    }

    @Override
    public Optional<ModelVersionInfo> version(String name, String version) {
        try {
            return Optional.of(parse(policy.idempotent(() -> rest.get("mlflow/model-versions/get",
                    Map.of("name", name, "version", version))).path("model_version")));
        } catch (MlflowApiException e) {
            if (e.isNotFound()) return Optional.empty();
            throw e;
        }
    }

    @Override
    public Optional<ModelVersionInfo> byAlias(String name, String alias) {
        try {
            return Optional.of(parse(policy.idempotent(() -> rest.get("mlflow/registered-models/alias",
                    Map.of("name", name, "alias", alias))).path("model_version")));
        } catch (MlflowApiException e) {
            if (e.isNotFound()) return Optional.empty();
            throw e;
        }
    }

    @Override
    public List<ModelVersionInfo> versions(String name) {
        if (registeredModel(name).isEmpty()) throw new EimfException("no registered model '" + name + "' on " + location());
        List<ModelVersionInfo> out = search("name='" + q(name) + "'");
        out.sort(Comparator.comparingInt(v -> Integer.parseInt(v.version())));
        return out;
    }

    @Override
    public List<String> modelNames() {
        List<String> out = new ArrayList<>();
        String token = null;
        do {
            Map<String, String> q = new HashMap<>(Map.of("max_results", "1000"));
            if (token != null) q.put("page_token", token);
            JsonNode r = policy.idempotent(() -> rest.get("mlflow/registered-models/search", q));
            for (JsonNode m : r.path("registered_models")) out.add(m.path("name").asText());
            token = r.path("next_page_token").asText("");
        } while (!token.isEmpty());
        out.sort(null);
        return out;
    }

    @Override
    public Map<String, String> aliases(String name) {
        JsonNode m = registeredModel(name)
                .orElseThrow(() -> new EimfException("no registered model '" + name + "' on " + location()));
        Map<String, String> out = new TreeMap<>();
        for (JsonNode a : m.path("aliases")) out.put(a.path("alias").asText(), a.path("version").asText());
        return out;
    }

    @Override
    public void setAlias(String name, String alias, String version) {
        policy.idempotentRun(() -> rest.post("mlflow/registered-models/alias",
                MlflowRestClient.body("name", name, "alias", alias, "version", version)));
    }

    @Override
    public void deleteAlias(String name, String alias) {
        try {
            policy.idempotentRun(() -> rest.delete("mlflow/registered-models/alias",
                    MlflowRestClient.body("name", name, "alias", alias)));
        } catch (MlflowApiException e) {
            if (!e.isNotFound()) throw e; // deleting an absent alias (e.g. on a retry) is done already
        }
    }

    @Override
    public void setVersionTag(String name, String version, String key, String value) {
        policy.idempotentRun(() -> rest.post("mlflow/model-versions/set-tag",
                MlflowRestClient.body("name", name, "version", version, "key", key, "value", value)));
    }

    @Override
    public ModelVersionInfo transitionStage(String name, String version, String stage, boolean archiveExisting) {
        return parse(policy.idempotent(() -> rest.post("mlflow/model-versions/transition-stage",
                MlflowRestClient.body("name", name, "version", version, "stage", Stages.canonical(stage),
                        "archive_existing_versions", archiveExisting))).path("model_version"));
    }

    @Override
    public Map<String, Double> runMetrics(String runId) {
        Map<String, Double> out = new TreeMap<>();
        for (Service.Metric m : server.getRun(runId).getData().getMetricsList()) out.put(m.getKey(), m.getValue());
        return out;
    }

    @Override
    public Map<String, String> runTags(String runId) {
        Map<String, String> out = new TreeMap<>();
        for (Service.RunTag t : server.getRun(runId).getData().getTagsList()) out.put(t.getKey(), t.getValue());
        return out;
    }

    @Override
    public String modelSource(String runId, String artifactPath) throws IOException {
        Service.RunInfo info = server.getRun(runId).getInfo();
        if (server.loggedModels()) {
            // MLflow 3: the model's files live under its logged model, and a version registered from it names it as
            // models:/<model_id>, which links the version to the model on the UI's Logged Models page.
            Optional<MlflowServer.LoggedModel> lm = server.findLoggedModel(info.getExperimentId(), runId, artifactPath);
            if (lm.isPresent()) {
                requireEimfModel(MlflowServer.proxiedPath(lm.get().artifactUri(), "logged model " + lm.get().modelId()),
                        "logged model " + lm.get().modelId() + " of run " + runId);
                return "models:/" + lm.get().modelId();
            }
        }
        String artifactUri = info.getArtifactUri();
        String root = MlflowServer.proxiedPath(artifactUri, "run " + runId);
        requireEimfModel(root + "/" + artifactPath, "run " + runId + " on " + location() + " under artifact path '"
                + artifactPath + "'");
        return artifactUri.replaceAll("/+$", "") + "/" + artifactPath;
    }

    private void requireEimfModel(String path, String what) throws IOException {
        boolean hasModel = server.list(path).stream().anyMatch(e -> !e.isDir() && e.name().equals(MlflowModelFile.FILE));
        if (!hasModel) throw new EimfException(what + ": no MLmodel there");
        Path tmp = Files.createTempDirectory("eimf-mlmodel");
        try {
            // An MLmodel is a few KB; a server sending more is refused rather than stored.
            server.download(path + "/" + MlflowModelFile.FILE, tmp.resolve(MlflowModelFile.FILE), 1L << 20,
                    java.time.Instant.now().plus(java.time.Duration.ofMinutes(2)));
            MlflowModelFile.requireEimfFlavor(tmp);
        } finally {
            io.eimf.core.io.AtomicOutput.deleteRecursively(tmp);
        }
    }

    @Override
    public void download(ModelVersionInfo version, Path target, DownloadLimits limits) throws IOException {
        String what = "version " + version.version() + " of " + version.name() + " on " + location();
        DownloadLimits.Budget budget = limits.start(target, what);
        String uri = policy.idempotent(() -> rest.get("mlflow/model-versions/get-download-uri",
                Map.of("name", version.name(), "version", version.version()))).path("artifact_uri").asText();
        String root = MlflowServer.proxiedPath(uri.isEmpty() ? version.source() : uri, what);
        for (String seg : root.split("/")) {
            if (seg.equals("..") || seg.equals(".")) throw new EimfException(what + ": artifact location '" + uri + "' holds '" + seg + "'; refused");
        }
        downloadTree(root, target, 0, budget);
    }

    /** Fetches one listed folder; every name is checked and placed inside the target, every byte counted. */
    private void downloadTree(String proxyPath, Path target, int depth, DownloadLimits.Budget budget) throws IOException {
        Files.createDirectories(target);
        for (MlflowRestClient.ArtifactEntry e : server.list(proxyPath)) {
            budget.checkDeadline(proxyPath + "/" + e.name());
            Path f = budget.child(target, e.name(), depth);
            if (e.isDir()) {
                downloadTree(proxyPath + "/" + e.name(), f, depth + 1, budget);
            } else {
                budget.file(proxyPath + "/" + e.name(), e.size());
                // A file listed with a size may not be longer than that; one listed without is bounded by what is left.
                long cap = e.size() > 0 ? e.size() : budget.bytesLeft();
                server.download(proxyPath + "/" + e.name(), f, cap, budget.deadline());
                long size = Files.size(f);
                budget.wrote(proxyPath + "/" + e.name(), size);
                if (e.size() > 0 && size != e.size()) {
                    throw new EimfException("downloaded " + proxyPath + "/" + e.name() + " is " + size
                            + " bytes, the server listed " + e.size());
                }
            }
        }
    }

    @Override
    public void close() {
        server.close();
    }

    static ModelVersionInfo parse(JsonNode mv) {
        Map<String, String> tags = new TreeMap<>();
        for (JsonNode t : mv.path("tags")) tags.put(t.path("key").asText(), t.path("value").asText());
        List<String> aliases = new ArrayList<>();
        for (JsonNode a : mv.path("aliases")) aliases.add(a.asText());
        return new ModelVersionInfo(mv.path("name").asText(), mv.path("version").asText(), mv.path("source").asText(),
                mv.path("run_id").asText(), mv.path("current_stage").asText("None"), mv.path("status").asText(),
                mv.path("creation_timestamp").asLong(0), tags, aliases);
    }

    private static String q(String s) {
        return s.replace("'", "\\'");
    }
}
