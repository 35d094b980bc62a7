package io.eimf.mlflow.model;

import com.fasterxml.jackson.core.type.TypeReference;
import io.eimf.core.cli.EimfException;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.io.ContentHash;
import io.eimf.core.io.FileManifest;
import io.eimf.core.json.Json;
import io.eimf.mlflow.artifacts.MlflowModelFile;
import io.eimf.mlflow.registry.DownloadLimits;
import io.eimf.mlflow.registry.ModelRegistry;
import io.eimf.mlflow.registry.ModelVersionInfo;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Turns {@code models:/NAME@ALIAS} or {@code models:/NAME/VERSION} into a local model folder for {@code recommend}
 * and {@code serve}. The alias is resolved to a version on every call (so a moved champion is picked up); the
 * version's files are downloaded once into {@code cacheDir/<escaped name>-<name hash>/v<version>-<key>} (key: hash
 * of registry, name, version and source, so two servers never share an entry), within {@link DownloadLimits},
 * checked against the MLmodel's {@code files} hashes, written atomically with a manifest of SHA-256 per file, and
 * re-verified against that manifest on each later hit; a damaged entry is downloaded again. The registry is not
 * trusted: a version that is not a positive integer, a name that is not the one asked for, a path that would leave
 * the cache, or a file that breaks a limit or a hash is refused and nothing is kept.
 */
public final class ModelResolver {
    private static final java.util.regex.Pattern VERSION = java.util.regex.Pattern.compile("[1-9][0-9]{0,9}");
    /** The manifest inside each cached model folder. */
    public static final String MANIFEST = ".eimf-model-manifest.json";

    private final ModelRegistry registry;
    private final Path cacheDir;
    private final PrintStream log;
    private final DownloadLimits limits;

    public ModelResolver(ModelRegistry registry, Path cacheDir, PrintStream log) {
        this(registry, cacheDir, log, DownloadLimits.defaults());
    }

    /** A resolver whose downloads stay within {@code limits}. */
    public ModelResolver(ModelRegistry registry, Path cacheDir, PrintStream log, DownloadLimits limits) {
        this.registry = registry;
        this.cacheDir = cacheDir;
        this.log = log;
        this.limits = limits;
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
        Path target = entry(mu.name(), v);
        if (Files.isDirectory(target)) {
            String problem = verify(target);
            if (problem == null) {
                log.println("[models] " + mu + " = " + v.name() + " version " + v.version() + ", cached and verified: " + target);
                return new Resolved(target, v, true);
            }
            log.println("[models] cached " + target + " is damaged (" + problem + "); downloading again");
        }
        AtomicOutput.directory(target, true, tmp -> {
            registry.download(v, tmp, limits);
            Map<String, Object> flavor = MlflowModelFile.requireEimfFlavor(tmp);
            checkFlavorFiles(tmp, flavor, v);
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

    /**
     * The cache folder of a version, from what the registry answered, which is not trusted: the version must be
     * MLflow's positive integer, the name the one asked for; the name becomes an escaped folder name plus a hash of
     * the name (so no separator or {@code ..} survives and two names never collide), and the result must stay
     * inside the cache.
     */
    Path entry(String askedName, ModelVersionInfo v) {
        String where = registry.location();
        if (v.version() == null || !VERSION.matcher(v.version()).matches()) {
            throw new EimfException(where + " answered version '" + v.version() + "' for model " + askedName
                    + "; MLflow versions are positive integers; refused");
        }
        if (!askedName.equals(v.name())) {
            throw new EimfException(where + " answered model '" + v.name() + "' when asked for '" + askedName
                    + "'; refused");
        }
        String key = ContentHash.of(where + "\n" + v.name() + "\n" + v.version() + "\n" + v.source()).substring(0, 16);
        Path root = cacheDir.toAbsolutePath().normalize();
        Path target = root.resolve(folderName(v.name())).resolve("v" + v.version() + "-" + key).normalize();
        if (!target.startsWith(root) || target.getNameCount() != root.getNameCount() + 2) {
            throw new EimfException("cache entry " + target + " for " + v.name() + " is outside " + root + "; refused");
        }
        return target;
    }

    /** A folder name for any model name: letters, digits, '_' and '-' (at most 60), then 12 hex digits of its hash. */
    static String folderName(String name) {
        String esc = name.replaceAll("[^A-Za-z0-9_-]", "_");
        if (esc.length() > 60) esc = esc.substring(0, 60);
        return esc + "-" + ContentHash.of(name).substring(0, 12);
    }

    /**
     * Checks the downloaded files against the {@code files} map of the MLmodel flavor (sizes, then SHA-256), and
     * that nothing unlisted came along; an MLmodel from before the map existed is accepted with a warning, its
     * model.json hashes are still checked when the model loads.
     */
    private void checkFlavorFiles(Path dir, Map<String, Object> flavor, ModelVersionInfo v) throws IOException {
        String what = "version " + v.version() + " of " + v.name() + " on " + registry.location();
        Optional<Map<String, FileManifest.Entry>> files;
        try {
            files = FileManifest.parse(flavor.get("files"));
        } catch (IllegalArgumentException e) {
            throw new EimfException(what + ": MLmodel flavor " + MlflowModelFile.FLAVOR + ": " + e.getMessage());
        }
        if (files.isEmpty()) {
            log.println("[models] warning: " + what + " has no 'files' hashes in its MLmodel (logged by an older EIMF);"
                    + " only model.json's hashes are checked");
            return;
        }
        String problem = FileManifest.verify(dir, files.get());
        if (problem != null) throw new EimfException(what + ": " + problem + "; refused");
        List<String> present;
        try (Stream<Path> w = Files.walk(dir)) {
            present = w.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/')).toList();
        }
        for (String rel : present) {
            if (!rel.equals(MlflowModelFile.FILE) && !files.get().containsKey(rel)) {
                throw new EimfException(what + ": file '" + rel + "' is not in the MLmodel's 'files' map; refused");
            }
        }
    }
}
