package io.eimf.mlflow.model;

import com.fasterxml.jackson.core.type.TypeReference;
import io.eimf.core.cli.EimfException;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.io.ContentHash;
import io.eimf.core.json.Json;
import io.eimf.mlflow.artifacts.MlflowModelFile;
import io.eimf.mlflow.registry.ModelRegistry;
import io.eimf.mlflow.registry.ModelVersionInfo;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Turns {@code models:/NAME@ALIAS} or {@code models:/NAME/VERSION} into a local model folder for {@code recommend}
 * and {@code serve}. The alias is resolved to a version on every call (so a moved champion is picked up); the
 * version's files are downloaded once into {@code cacheDir/<name>/v<version>-<key>} (key: hash of registry, name,
 * version and source, so two servers never share an entry), written atomically with a manifest of SHA-256 per
 * file, and re-verified against that manifest on each later hit; a damaged entry is downloaded again.
 */
public final class ModelResolver {
    /** The manifest inside each cached model folder. */
    public static final String MANIFEST = ".eimf-model-manifest.json";

    private final ModelRegistry registry;
    private final Path cacheDir;
    private final PrintStream log;

    public ModelResolver(ModelRegistry registry, Path cacheDir, PrintStream log) {
        this.registry = registry;
        this.cacheDir = cacheDir;
        this.log = log;
    }

    /** The default cache: {@code $EIMF_MODEL_CACHE}, else {@code ~/.cache/eimf/models}. */
    public static Path defaultCache() {
        String env = System.getenv("EIMF_MODEL_CACHE");
        return env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "eimf", "models");
    }

    /** A resolved model: where its files are and which version they are. */
    public record Resolved(Path folder, ModelVersionInfo version, boolean fromCache) {}

    /** Resolves and fetches a models:/ URI. */
    public Resolved resolve(String uri) throws IOException {
        ModelUri mu = ModelUri.parse(uri);
        ModelVersionInfo v = mu.alias() != null
                ? registry.byAlias(mu.name(), mu.alias()).orElseThrow(() -> new EimfException(
                        "alias '" + mu.alias() + "' of model " + mu.name() + " is not set on " + registry.location()))
                : registry.version(mu.name(), mu.version()).orElseThrow(() -> new EimfException(
                        "model " + mu.name() + " has no version " + mu.version() + " on " + registry.location()));
        String key = ContentHash.of(registry.location() + "\n" + v.name() + "\n" + v.version() + "\n" + v.source())
                .substring(0, 16);
        Path target = cacheDir.resolve(safe(v.name())).resolve("v" + v.version() + "-" + key);
        if (Files.isDirectory(target)) {
            String problem = verify(target);
            if (problem == null) {
                log.println("[models] " + mu + " = " + v.name() + " version " + v.version() + ", cached and verified: " + target);
                return new Resolved(target, v, true);
            }
            log.println("[models] cached " + target + " is damaged (" + problem + "); downloading again");
        }
        AtomicOutput.directory(target, true, tmp -> {
            registry.download(v, tmp);
            MlflowModelFile.requireEimfFlavor(tmp);
            AtomicOutput.text(tmp.resolve(MANIFEST), Json.pretty(hashes(tmp)));
        });
        log.println("[models] " + mu + " = " + v.name() + " version " + v.version() + ", downloaded from "
                + registry.location() + " to " + target);
        return new Resolved(target, v, false);
    }

    /** Null when every file matches the manifest, else what is wrong. */
    static String verify(Path dir) throws IOException {
        Path m = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(m)) return "no manifest";
        Map<String, String> expected = Json.mapper().readValue(m.toFile(), new TypeReference<TreeMap<String, String>>() {});
        Map<String, String> actual = hashes(dir);
        if (!expected.equals(actual)) {
            for (String k : expected.keySet()) if (!expected.get(k).equals(actual.get(k))) return k + " changed or missing";
            return "unexpected extra files";
        }
        return null;
    }

    private static Map<String, String> hashes(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> w = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) w.filter(Files::isRegularFile)::iterator) {
                String rel = dir.relativize(p).toString().replace('\\', '/');
                if (!rel.equals(MANIFEST)) out.put(rel, ContentHash.ofFile(p));
            }
        }
        return out;
    }

    private static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
