package io.eimf.mlflow.registry;

import io.eimf.core.cli.EimfException;
import io.eimf.core.io.AtomicOutput;
import io.eimf.mlflow.artifacts.MlflowModelFile;
import io.eimf.mlflow.local.LocalFileStore;
import io.eimf.mlflow.local.LocalRun;
import io.eimf.mlflow.local.MlflowYaml;
import io.eimf.mlflow.tracking.MlflowNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A model registry in a folder, in the layout of MLflow's own registry FileStore (so {@code mlflow ui} with the same
 * folder as {@code --registry-store-uri} shows it):
 * <pre>
 * ROOT/models/&lt;name&gt;/meta.yaml                  creation_timestamp, description, last_updated_timestamp, name
 * ROOT/models/&lt;name&gt;/tags/&lt;key&gt;                 registered-model tags
 * ROOT/models/&lt;name&gt;/aliases/&lt;alias&gt;            the version number the alias points at
 * ROOT/models/&lt;name&gt;/version-&lt;n&gt;/meta.yaml        current_stage, run_id, source, status, storage_location, version, ...
 * ROOT/models/&lt;name&gt;/version-&lt;n&gt;/tags/&lt;key&gt;       version tags
 * </pre>
 * ROOT is the local tracking store's folder (MLflow's default too), so sources are file: URIs into its runs.
 */
public final class LocalModelRegistry implements ModelRegistry {
    private final LocalFileStore store;
    private final Path models;

    public LocalModelRegistry(LocalFileStore store) {
        this.store = store;
        this.models = store.root().resolve("models");
    }

    @Override
    public String location() {
        return store.root().toString();
    }

    @Override
    public synchronized void ensureModel(String name, String description) {
        Path dir = modelDir(name);
        if (Files.isRegularFile(dir.resolve("meta.yaml"))) return;
        long now = System.currentTimeMillis();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("creation_timestamp", now);
        meta.put("description", description == null ? "" : description);
        meta.put("last_updated_timestamp", now);
        meta.put("name", name);
        io(() -> MlflowYaml.write(dir.resolve("meta.yaml"), meta));
    }

    @Override
    public synchronized Created createVersion(String name, String source, String runId, Map<String, String> tags) {
        requireModel(name);
        for (ModelVersionInfo v : versions(name)) {
            if (v.source().equals(source) && v.runId().equals(runId)) return new Created(v, false);
        }
        int next = versions(name).stream().mapToInt(v -> Integer.parseInt(v.version())).max().orElse(0) + 1;
        Path dir = modelDir(name).resolve("version-" + next);
        long now = System.currentTimeMillis();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("aliases", List.of());
        meta.put("creation_timestamp", now);
        meta.put("current_stage", "None");
        meta.put("description", "");
        meta.put("last_updated_timestamp", now);
        meta.put("name", name);
        meta.put("run_id", runId);
        meta.put("run_link", "");
        meta.put("source", source);
        meta.put("status", "READY");
        meta.put("status_message", "");
        meta.put("storage_location", source);
        meta.put("user_id", "");
        meta.put("version", next);
        io(() -> {
            MlflowYaml.write(dir.resolve("meta.yaml"), meta);
            for (Map.Entry<String, String> t : tags.entrySet()) {
                MlflowNames.checkKey("model version tag", t.getKey());
                AtomicOutput.text(dir.resolve("tags").resolve(t.getKey()), t.getValue());
            }
        });
        touch(name);
        return new Created(version(name, String.valueOf(next)).orElseThrow(), true);
    }

    @Override
    public Optional<ModelVersionInfo> version(String name, String version) {
        Path dir = modelDir(name).resolve("version-" + version);
        if (!Files.isRegularFile(dir.resolve("meta.yaml"))) return Optional.empty();
        return Optional.of(read(name, dir));
    }

    @Override
    public Optional<ModelVersionInfo> byAlias(String name, String alias) {
        String v = aliases(name).get(alias);
        return v == null ? Optional.empty() : version(name, v);
    }

    @Override
    public List<ModelVersionInfo> versions(String name) {
        requireModel(name);
        List<ModelVersionInfo> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(modelDir(name))) {
            s.filter(p -> p.getFileName().toString().startsWith("version-") && Files.isRegularFile(p.resolve("meta.yaml")))
                    .forEach(p -> out.add(read(name, p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.removeIf(v -> "Deleted_Internal".equals(v.stage()));
        out.sort(Comparator.comparingInt(v -> Integer.parseInt(v.version())));
        return out;
    }

    @Override
    public List<String> modelNames() {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(models)) return out;
        try (Stream<Path> s = Files.list(models)) {
            s.filter(p -> Files.isRegularFile(p.resolve("meta.yaml"))).forEach(p -> out.add(p.getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(null);
        return out;
    }

    @Override
    public Map<String, String> aliases(String name) {
        requireModel(name);
        return readFiles(modelDir(name).resolve("aliases"));
    }

    @Override
    public synchronized void setAlias(String name, String alias, String version) {
        if (version(name, version).isEmpty()) {
            throw new EimfException("model " + name + " has no version " + version + " in " + location());
        }
        MlflowNames.checkKey("alias", alias);
        io(() -> AtomicOutput.text(modelDir(name).resolve("aliases").resolve(alias), version));
        touch(name);
    }

    @Override
    public synchronized void deleteAlias(String name, String alias) {
        io(() -> Files.deleteIfExists(modelDir(name).resolve("aliases").resolve(alias)));
    }

    @Override
    public synchronized void setVersionTag(String name, String version, String key, String value) {
        MlflowNames.checkKey("model version tag", key);
        Path dir = modelDir(name).resolve("version-" + version);
        if (!Files.isDirectory(dir)) throw new EimfException("model " + name + " has no version " + version);
        io(() -> AtomicOutput.text(dir.resolve("tags").resolve(key), value));
    }

    @Override
    public synchronized ModelVersionInfo transitionStage(String name, String version, String stage, boolean archiveExisting) {
        String canonical = Stages.canonical(stage);
        ModelVersionInfo target = version(name, version)
                .orElseThrow(() -> new EimfException("model " + name + " has no version " + version));
        long now = System.currentTimeMillis();
        if (archiveExisting && (canonical.equals("Staging") || canonical.equals("Production"))) {
            for (ModelVersionInfo v : versions(name)) {
                if (!v.version().equals(version) && v.stage().equals(canonical)) setStage(name, v.version(), "Archived", now);
            }
        }
        setStage(name, target.version(), canonical, now);
        return version(name, version).orElseThrow();
    }

    private void setStage(String name, String version, String stage, long now) {
        Path f = modelDir(name).resolve("version-" + version).resolve("meta.yaml");
        io(() -> {
            Map<String, Object> meta = MlflowYaml.read(f);
            meta.put("current_stage", stage);
            meta.put("last_updated_timestamp", now);
            MlflowYaml.write(f, meta);
        });
    }

    @Override
    public Map<String, Double> runMetrics(String runId) {
        try {
            return store.readRun(runId).latestMetrics();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Map<String, String> runTags(String runId) {
        try {
            return store.readRun(runId).tags();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String modelSource(String runId, String artifactPath) throws IOException {
        LocalRun run = store.readRun(runId);
        Path dir = run.artifactsDir().resolve(artifactPath).normalize();
        if (!dir.startsWith(run.artifactsDir())) throw new EimfException("artifact path escapes the run: " + artifactPath);
        MlflowModelFile.requireEimfFlavor(dir);
        return LocalFileStore.fileUri(dir);
    }

    @Override
    public void download(ModelVersionInfo version, Path target, DownloadLimits limits) throws IOException {
        URI u = URI.create(version.source());
        if (!"file".equals(u.getScheme())) {
            throw new EimfException("version " + version.version() + " of " + version.name() + " has source "
                    + version.source() + "; a local registry can only read file: sources");
        }
        Path src = Path.of(u);
        if (!Files.isDirectory(src)) throw new EimfException("model files of " + version.name() + " v"
                + version.version() + " are gone: " + src);
        String what = "version " + version.version() + " of " + version.name() + " in " + location();
        DownloadLimits.Budget budget = limits.start(target, what);
        DownloadLimits.Budget.requirePlain(src, what);
        try (Stream<Path> w = Files.walk(src)) {
            for (Path p : (Iterable<Path>) w::iterator) {
                if (p.equals(src)) continue;
                DownloadLimits.Budget.requirePlain(p, what);
                Path rel = src.relativize(p);
                budget.checkDeadline(rel.toString());
                Path t = target;
                for (int i = 0; i < rel.getNameCount(); i++) t = budget.child(t, rel.getName(i).toString(), i);
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(t);
                } else {
                    budget.file(rel.toString(), Files.size(p));
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                    budget.wrote(rel.toString(), Files.size(t));
                }
            }
        }
    }

    @Override
    public void close() {}

    private ModelVersionInfo read(String name, Path dir) {
        try {
            Map<String, Object> m = MlflowYaml.read(dir.resolve("meta.yaml"));
            String v = MlflowYaml.str(m, "version");
            List<String> al = new ArrayList<>();
            aliases(name).forEach((a, ver) -> {
                if (ver.equals(v)) al.add(a);
            });
            return new ModelVersionInfo(name, v, MlflowYaml.str(m, "source"), MlflowYaml.str(m, "run_id"),
                    MlflowYaml.str(m, "current_stage"), MlflowYaml.str(m, "status"), MlflowYaml.num(m, "creation_timestamp"),
                    readFiles(dir.resolve("tags")), al);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> readFiles(Path dir) {
        Map<String, String> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) return out;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                if (p.getFileName().toString().startsWith(".")) continue;
                out.put(dir.relativize(p).toString().replace('\\', '/'), Files.readString(p, StandardCharsets.UTF_8).trim());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private void requireModel(String name) {
        if (!Files.isRegularFile(modelDir(name).resolve("meta.yaml"))) {
            throw new EimfException("no registered model '" + name + "' in " + location());
        }
    }

    private Path modelDir(String name) {
        if (name.isBlank() || name.contains("/") || name.contains("\\") || name.contains("%") || name.startsWith(".")) {
            throw new EimfException("invalid registered model name '" + name + "' (no / \\ % or leading .)");
        }
        return models.resolve(name);
    }

    private void touch(String name) {
        Path f = modelDir(name).resolve("meta.yaml");
        io(() -> {
            Map<String, Object> meta = MlflowYaml.read(f);
            meta.put("last_updated_timestamp", System.currentTimeMillis());
            MlflowYaml.write(f, meta);
        });
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
