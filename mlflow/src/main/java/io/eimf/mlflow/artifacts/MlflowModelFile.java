package io.eimf.mlflow.artifacts;

import com.fasterxml.jackson.core.type.TypeReference;
import io.eimf.core.cli.EimfException;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.io.FileManifest;
import io.eimf.core.json.Json;
import io.eimf.core.provenance.ToolVersion;
import io.eimf.mlflow.local.MlflowYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The {@code MLmodel} file that makes a folder an MLflow model. EIMF writes one flavor, {@value #FLAVOR}, and no
 * {@code python_function}: the model is served by EIMF's Java server, and a pyfunc entry would promise a Python
 * loader that does not exist.
 */
public final class MlflowModelFile {
    /** The flavor name. */
    public static final String FLAVOR = "eimf_ibim";
    /** The file name MLflow looks for. */
    public static final String FILE = "MLmodel";
    /** The MLflow version whose format this follows (the client library's). */
    public static final String MLFLOW_VERSION = "2.17.2";
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    private MlflowModelFile() {}

    /** The MLmodel content for a model logged at {@code artifactPath} of run {@code runId}. */
    public static Map<String, Object> content(String artifactPath, String runId, ModelDescriptor d) {
        return content(artifactPath, runId, d, Map.of());
    }

    /**
     * The MLmodel content, with the flavor's {@code files} map ({path: {sha256, bytes}}) when {@code files} is not
     * empty, so whoever downloads the model can check every file before trusting it.
     */
    public static Map<String, Object> content(String artifactPath, String runId, ModelDescriptor d,
            Map<String, FileManifest.Entry> files) {
        Map<String, Object> flavor = new TreeMap<>();
        flavor.put("format", d.format());
        flavor.put("loader_class", d.loaderClass());
        flavor.put("nd4j_version", d.nd4jVersion());
        flavor.put("num_interests", d.numInterests());
        flavor.put("embedding_dim", d.embeddingDim());
        flavor.put("backbone", d.backbone());
        flavor.put("eimf_version", ToolVersion.get());
        flavor.put("serving", "behavioral-only");
        d.extra().forEach(flavor::putIfAbsent);
        if (!files.isEmpty()) {
            Map<String, Object> fm = new TreeMap<>();
            files.forEach((k, e) -> fm.put(k, Map.of("sha256", e.sha256(), "bytes", e.bytes())));
            flavor.put("files", fm);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("artifact_path", artifactPath);
        m.put("flavors", Map.of(FLAVOR, flavor));
        m.put("mlflow_version", MLFLOW_VERSION);
        m.put("model_uuid", UUID.randomUUID().toString().replace("-", ""));
        m.put("run_id", runId);
        m.put("utc_time_created", LocalDateTime.now(ZoneOffset.UTC).format(UTC));
        return m;
    }

    /** Writes {@code MLmodel} into {@code modelDir}. */
    public static void write(Path modelDir, Map<String, Object> content) throws IOException {
        AtomicOutput.text(modelDir.resolve(FILE), MlflowYaml.render(content));
    }

    /**
     * The {@code files} map of every file under {@code modelDir} except MLmodel, after checking that the files the
     * descriptor lists (the model's own model.json map) have exactly those hashes and sizes: a model damaged or
     * changed before logging is refused, not registered.
     */
    public static Map<String, FileManifest.Entry> filesOf(Path modelDir, ModelDescriptor d) throws IOException {
        java.util.List<String> names;
        try (java.util.stream.Stream<Path> w = Files.walk(modelDir)) {
            names = w.filter(Files::isRegularFile).map(p -> modelDir.relativize(p).toString().replace('\\', '/'))
                    .filter(n -> !n.equals(FILE)).sorted().toList();
        }
        Map<String, FileManifest.Entry> all = FileManifest.of(modelDir, names);
        for (Map.Entry<String, FileManifest.Entry> e : d.files().entrySet()) {
            if (!e.getValue().equals(all.get(e.getKey()))) {
                throw new EimfException(modelDir.resolve(e.getKey()) + ": " + (all.containsKey(e.getKey())
                        ? "differs from the SHA-256/size its model.json records" : "listed in model.json but missing")
                        + "; not logging a damaged model");
            }
        }
        return all;
    }

    /** Reads an MLmodel file. */
    public static Map<String, Object> read(Path mlmodel) throws IOException {
        if (!Files.isRegularFile(mlmodel)) throw new EimfException("no MLmodel file at " + mlmodel);
        return MlflowYaml.read(mlmodel);
    }

    /** The JSON {@code runs/log-model} takes (and MLflow keeps in {@code mlflow.log-model.history}), for another run id. */
    public static String toJson(Map<String, Object> content, String runId) {
        Map<String, Object> m = new LinkedHashMap<>(content);
        m.put("run_id", runId);
        return Json.write(m);
    }

    /** Checks that {@code modelDir} holds an EIMF IBIM model; returns its flavor fields. */
    public static Map<String, Object> requireEimfFlavor(Path modelDir) throws IOException {
        Map<String, Object> m = read(modelDir.resolve(FILE));
        Object flavors = m.get("flavors");
        if (!(flavors instanceof Map<?, ?> f) || !(f.get(FLAVOR) instanceof Map<?, ?> fl)) {
            throw new EimfException(modelDir.resolve(FILE) + ": no '" + FLAVOR + "' flavor; not an EIMF IBIM model");
        }
        return Json.mapper().convertValue(fl, new TypeReference<Map<String, Object>>() {});
    }
}
