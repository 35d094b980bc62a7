package io.eimf.mlflow.sync;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What of one local run has reached which server: {@code eimf-sync.json} in the run's folder (MLflow's file store
 * ignores files it does not know). Advanced only after the server acknowledged, so a crash re-sends at most the last
 * batch and never skips one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class SyncState {
    /** The file's name inside the run folder. */
    public static final String FILE = "eimf-sync.json";

    /** Per tracking URI. */
    public Map<String, Server> servers = new TreeMap<>();

    /** Progress on one server. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Server {
        public String experimentId;
        public String runId;
        public TreeSet<String> params = new TreeSet<>();
        public Map<String, String> tags = new TreeMap<>();
        /** Metric key to the number of its points already uploaded. */
        public Map<String, Integer> metricPoints = new TreeMap<>();
        /** Artifact path to the SHA-256 of the uploaded bytes. */
        public Map<String, String> artifacts = new TreeMap<>();
        /** Artifact path to "size:mtime" when it was hashed, so unchanged files are not hashed on every flush. */
        public Map<String, String> artifactStamps = new TreeMap<>();
        /** Model folders (artifact paths holding an MLmodel) recorded on the server (log-model, or linked+READY). */
        public TreeSet<String> models = new TreeSet<>();
        /** MLflow 3 servers: model folder to the id of the logged model that holds its files. */
        public Map<String, String> loggedModels = new TreeMap<>();
        public String status;
    }

    /** Loads the state of a run folder (empty when none). */
    public static SyncState load(Path runDir) throws IOException {
        Path f = runDir.resolve(FILE);
        return Files.exists(f) ? Json.read(f, SyncState.class) : new SyncState();
    }

    /** Writes the state atomically. */
    public void save(Path runDir) throws IOException {
        AtomicOutput.text(runDir.resolve(FILE), Json.pretty(this));
    }

    /** The progress for one server, created when absent. */
    public Server server(String uri) {
        return servers.computeIfAbsent(uri, u -> new Server());
    }
}
