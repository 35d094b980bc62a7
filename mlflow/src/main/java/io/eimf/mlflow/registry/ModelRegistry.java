package io.eimf.mlflow.registry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * MLflow's model registry, on a server ({@link RemoteModelRegistry}) or in a local folder in MLflow's own registry
 * file-store layout ({@link LocalModelRegistry}), so register/promote/resolve work the same offline.
 */
public interface ModelRegistry extends AutoCloseable {
    /** Version tag prefix for metrics copied from the run at registration. */
    String METRIC_TAG_PREFIX = "metric.";
    /** Version tag saying how the model may be served. */
    String SERVING_TAG = "serving";
    /** Its value for IBIM-only models: the behavioral model serves, ESIM stays offline. */
    String BEHAVIORAL_ONLY = "behavioral-only";

    /**
     * The registry for a tracking URI option (null: $MLFLOW_TRACKING_URI): the server's when that names an http(s)
     * server, else the local one rooted at {@code localStore} (or at the file: URI given). For {@code serve} and
     * {@code recommend}: {@code new ModelResolver(ModelRegistry.open(uri, dir), cache, err).resolve("models:/N@champion")}.
     */
    static ModelRegistry open(String trackingUri, Path localStore) {
        java.util.Optional<String> server = io.eimf.mlflow.rest.TrackingUri.server(trackingUri);
        if (server.isPresent()) return new RemoteModelRegistry(new io.eimf.mlflow.rest.MlflowServer(server.get()));
        Path root = io.eimf.mlflow.rest.TrackingUri.localStore(trackingUri).map(Path::of).orElse(localStore);
        return new LocalModelRegistry(new io.eimf.mlflow.local.LocalFileStore(root));
    }

    /** Where this registry is, for messages ("http://..." or a folder). */
    String location();

    /** Creates the registered model if it does not exist (never twice). */
    void ensureModel(String name, String description);

    /**
     * Creates a version from {@code source} of run {@code runId}, or returns the version that already registers
     * exactly that run and source, so re-running a registration (or a retry after a 5xx) never adds a second one.
     *
     * @return the version and whether it was created now
     */
    Created createVersion(String name, String source, String runId, Map<String, String> tags);

    /** A version and whether this call created it. */
    record Created(ModelVersionInfo version, boolean created) {}

    /** One version, if it exists. */
    Optional<ModelVersionInfo> version(String name, String version);

    /** The version an alias points at, if the alias is set. */
    Optional<ModelVersionInfo> byAlias(String name, String alias);

    /** Every version of a model, oldest first. */
    List<ModelVersionInfo> versions(String name);

    /** Names of all registered models. */
    List<String> modelNames();

    /** The model's aliases, alias to version. */
    Map<String, String> aliases(String name);

    /** Points {@code alias} at {@code version} (moving it if it pointed elsewhere). */
    void setAlias(String name, String alias, String version);

    /** Removes an alias. */
    void deleteAlias(String name, String alias);

    /** Sets a version tag. */
    void setVersionTag(String name, String version, String key, String value);

    /** Moves a version to a legacy stage (None, Staging, Production, Archived). */
    ModelVersionInfo transitionStage(String name, String version, String stage, boolean archiveExisting);

    /** A run's latest metric values, key to value. */
    Map<String, Double> runMetrics(String runId);

    /** A run's tags. */
    Map<String, String> runTags(String runId);

    /** The source URI for the model at {@code artifactPath} of a run; fails if no MLmodel is there. */
    String modelSource(String runId, String artifactPath) throws IOException;

    /** Copies a version's files into the empty folder {@code target}, within {@link DownloadLimits#defaults()}. */
    default void download(ModelVersionInfo version, Path target) throws IOException {
        download(version, target, DownloadLimits.defaults());
    }

    /**
     * Copies a version's files into the empty folder {@code target}; the registry is not trusted: every path is
     * kept inside {@code target} (no {@code ..}, absolute paths or symbolic links) and {@code limits} caps bytes,
     * files, depth and time.
     */
    void download(ModelVersionInfo version, Path target, DownloadLimits limits) throws IOException;

    @Override
    void close();
}
