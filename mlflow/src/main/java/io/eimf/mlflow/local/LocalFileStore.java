package io.eimf.mlflow.local;

import io.eimf.core.cli.EimfException;
import io.eimf.core.io.AtomicOutput;
import io.eimf.mlflow.tracking.MlflowNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Runs recorded on disk in MLflow's own tracking file-store layout, so {@code mlflow ui --backend-store-uri DIR}
 * shows them as they are and {@code eimf mlflow sync} can upload them later:
 * <pre>
 * DIR/&lt;experiment_id&gt;/meta.yaml                      experiment: artifact_location, creation_time, experiment_id, ...
 * DIR/&lt;experiment_id&gt;/&lt;run_id&gt;/meta.yaml             run: artifact_uri, run_id, run_name, status (1..5), start_time, ...
 * DIR/&lt;experiment_id&gt;/&lt;run_id&gt;/params/&lt;key&gt;          the value, no newline
 * DIR/&lt;experiment_id&gt;/&lt;run_id&gt;/metrics/&lt;key&gt;         one "timestamp value step" line per logged point
 * DIR/&lt;experiment_id&gt;/&lt;run_id&gt;/tags/&lt;key&gt;            the value
 * DIR/&lt;experiment_id&gt;/&lt;run_id&gt;/artifacts/...         the run's files
 * </pre>
 * Experiment 0 is "Default", as MLflow creates it. Keys with {@code /} become sub-folders, as in MLflow.
 */
public final class LocalFileStore {
    /** The tag MLflow stores a run's name in. */
    public static final String RUN_NAME_TAG = "mlflow.runName";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path root;
    private final Map<String, Path> runDirs = new HashMap<>();
    /** Metric files whose tail this store has checked: appends made here are whole lines, so once is enough. */
    private final java.util.Set<Path> tailChecked = new java.util.HashSet<>();

    /** A store rooted at {@code root} (created on first write). */
    public LocalFileStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The store's folder. */
    public Path root() {
        return root;
    }

    /** The id of the experiment called {@code name}, creating it if needed. */
    public synchronized String experiment(String name) throws IOException {
        Optional<String> found = findExperiment(name);
        if (found.isPresent()) return found.get();
        String id = "Default".equals(name) ? "0" : String.valueOf(Math.abs(RANDOM.nextLong() % 1_000_000_000_000_000L));
        while (Files.exists(root.resolve(id).resolve("meta.yaml"))) {
            id = String.valueOf(Math.abs(RANDOM.nextLong() % 1_000_000_000_000_000L));
        }
        long now = System.currentTimeMillis();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("artifact_location", fileUri(root.resolve(id)));
        meta.put("creation_time", now);
        meta.put("experiment_id", id);
        meta.put("last_update_time", now);
        meta.put("lifecycle_stage", "active");
        meta.put("name", name);
        Files.createDirectories(root.resolve(id));
        MlflowYaml.write(root.resolve(id).resolve("meta.yaml"), meta);
        return id;
    }

    /** The id of the experiment called {@code name}, if it exists. */
    public synchronized Optional<String> findExperiment(String name) throws IOException {
        for (String id : experimentIds()) {
            if (name.equals(MlflowYaml.str(MlflowYaml.read(root.resolve(id).resolve("meta.yaml")), "name"))) {
                return Optional.of(id);
            }
        }
        return Optional.empty();
    }

    /** The experiment's name. */
    public String experimentName(String experimentId) throws IOException {
        return MlflowYaml.str(MlflowYaml.read(root.resolve(experimentId).resolve("meta.yaml")), "name");
    }

    /** Ids of all experiments (folders holding a meta.yaml). */
    public List<String> experimentIds() throws IOException {
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(root)) return ids;
        try (Stream<Path> s = Files.list(root)) {
            s.filter(p -> Files.isRegularFile(p.resolve("meta.yaml")) && !p.getFileName().toString().startsWith("."))
                    .forEach(p -> ids.add(p.getFileName().toString()));
        }
        ids.sort(null);
        return ids;
    }

    /**
     * Creates a RUNNING run and returns its id (32 hex characters, as MLflow's).
     *
     * @param tags initial tags; the run name is also stored as {@code mlflow.runName}
     */
    public synchronized String createRun(String experimentId, String runName, long startTime, Map<String, String> tags)
            throws IOException {
        String runId = UUID.randomUUID().toString().replace("-", "");
        Path dir = root.resolve(experimentId).resolve(runId);
        if (!Files.isRegularFile(root.resolve(experimentId).resolve("meta.yaml"))) {
            throw new EimfException("no experiment " + experimentId + " in " + root);
        }
        Files.createDirectories(dir.resolve("artifacts"));
        Files.createDirectories(dir.resolve("metrics"));
        Files.createDirectories(dir.resolve("params"));
        Files.createDirectories(dir.resolve("tags"));
        runDirs.put(runId, dir);
        Map<String, Object> meta = runMeta(runId, experimentId, runName, RunStatus.RUNNING, startTime, null, dir);
        MlflowYaml.write(dir.resolve("meta.yaml"), meta);
        setTag(runId, RUN_NAME_TAG, runName);
        setTag(runId, "mlflow.user", user());
        for (Map.Entry<String, String> t : tags.entrySet()) setTag(runId, t.getKey(), t.getValue());
        return runId;
    }

    private static Map<String, Object> runMeta(String runId, String experimentId, String runName, RunStatus status,
            long startTime, Long endTime, Path dir) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("artifact_uri", fileUri(dir.resolve("artifacts")));
        meta.put("end_time", endTime);
        meta.put("entry_point_name", "");
        meta.put("experiment_id", experimentId);
        meta.put("lifecycle_stage", "active");
        meta.put("run_id", runId);
        meta.put("run_name", runName);
        meta.put("run_uuid", runId);
        meta.put("source_name", "");
        meta.put("source_type", 4); // SourceType.LOCAL
        meta.put("source_version", "");
        meta.put("start_time", startTime);
        meta.put("status", status.code());
        meta.put("tags", List.of());
        meta.put("user_id", user());
        return meta;
    }

    /** Logs a param; MLflow params are immutable, so a different value for an existing key is an error. */
    public synchronized void logParam(String runId, String key, String value) throws IOException {
        MlflowNames.checkKey("param", key);
        Path f = runDir(runId).resolve("params").resolve(key);
        if (Files.exists(f)) {
            String old = Files.readString(f, StandardCharsets.UTF_8);
            if (old.equals(value)) return;
            throw new EimfException("param '" + key + "' of run " + runId + " is already '" + old
                    + "'; MLflow params cannot change (new value '" + value + "')");
        }
        AtomicOutput.text(f, value);
    }

    /** Appends one metric point ("timestamp value step"). */
    public synchronized void logMetric(String runId, String key, double value, long timestamp, long step)
            throws IOException {
        MlflowNames.checkKey("metric", key);
        Path f = runDir(runId).resolve("metrics").resolve(key);
        Files.createDirectories(f.getParent());
        if (tailChecked.add(f)) dropTornTail(f);
        String line = timestamp + " " + formatValue(value) + " " + step + "\n";
        Files.writeString(f, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Sets (or overwrites) a tag. */
    public synchronized void setTag(String runId, String key, String value) throws IOException {
        MlflowNames.checkKey("tag", key);
        AtomicOutput.text(runDir(runId).resolve("tags").resolve(key), value);
    }

    /** Ends the run: status and end time in meta.yaml. */
    public synchronized void endRun(String runId, RunStatus status, long endTime) throws IOException {
        Path dir = runDir(runId);
        Map<String, Object> meta = MlflowYaml.read(dir.resolve("meta.yaml"));
        meta.put("status", status.code());
        meta.put("end_time", endTime);
        MlflowYaml.write(dir.resolve("meta.yaml"), meta);
    }

    /** The run's artifact folder. */
    public Path artifactsDir(String runId) {
        return runDir(runId).resolve("artifacts");
    }

    /** The run's folder; throws naming the store when there is no such run. */
    public synchronized Path runDir(String runId) {
        Path d = runDirs.get(runId);
        if (d != null) return d;
        try {
            for (String exp : experimentIds()) {
                Path c = root.resolve(exp).resolve(runId);
                if (Files.isRegularFile(c.resolve("meta.yaml"))) {
                    runDirs.put(runId, c);
                    return c;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new EimfException("no run " + runId + " in local store " + root);
    }

    /** Whether the store holds the run. */
    public boolean hasRun(String runId) {
        try {
            runDir(runId);
            return true;
        } catch (EimfException e) {
            return false;
        }
    }

    /** Ids of every run of every experiment. */
    public List<String> runIds() throws IOException {
        List<String> ids = new ArrayList<>();
        for (String exp : experimentIds()) {
            try (Stream<Path> s = Files.list(root.resolve(exp))) {
                s.filter(p -> Files.isRegularFile(p.resolve("meta.yaml"))).sorted()
                        .forEach(p -> ids.add(p.getFileName().toString()));
            }
        }
        return ids;
    }

    /**
     * Reads a run back: meta, params, tags and every metric point. A metric file whose last line has no newline was
     * cut by a kill mid-append: that line is dropped and named in {@link LocalRun#droppedTails()}. Anything else
     * malformed is a {@link CorruptRunException} naming the file and line.
     */
    public LocalRun readRun(String runId) throws IOException {
        Path dir = runDir(runId);
        try {
            return readRun(runId, dir);
        } catch (CorruptRunException e) {
            throw e;
        } catch (EimfException | IOException | UncheckedIOException e) {
            throw new CorruptRunException("run " + runId + " (" + dir + "): " + e.getMessage(), e);
        }
    }

    private LocalRun readRun(String runId, Path dir) throws IOException {
        Path metaFile = dir.resolve("meta.yaml");
        Map<String, Object> meta = MlflowYaml.read(metaFile);
        String exp = MlflowYaml.str(meta, "experiment_id");
        Map<String, List<MetricPoint>> metrics = new TreeMap<>();
        List<String> dropped = new ArrayList<>();
        for (Map.Entry<String, String> e : readTree(dir.resolve("metrics")).entrySet()) {
            List<MetricPoint> pts = new ArrayList<>();
            Path file = dir.resolve("metrics").resolve(e.getKey());
            String text = e.getValue();
            int complete = text.lastIndexOf('\n') + 1;
            if (complete < text.length()) {
                dropped.add(file + ": dropped the torn last line '" + text.substring(complete)
                        + "' (an append cut by a kill)");
                text = text.substring(0, complete);
            }
            int lineNo = 0;
            for (String line : text.split("\n")) {
                lineNo++;
                if (line.isBlank()) continue;
                String[] f = line.trim().split(" ");
                if (f.length < 2) {
                    throw new CorruptRunException(file + ":" + lineNo + ": expected 'timestamp value step', got '"
                            + line + "'", null);
                }
                try {
                    pts.add(new MetricPoint(e.getKey(), parseValue(f[1]), Long.parseLong(f[0]),
                            f.length > 2 ? Long.parseLong(f[2]) : 0L));
                } catch (NumberFormatException ex) {
                    throw new CorruptRunException(file + ":" + lineNo + ": not a number in '" + line + "'", ex);
                }
            }
            metrics.put(e.getKey(), pts);
        }
        Object end = meta.get("end_time");
        return new LocalRun(runId, exp, experimentName(exp), MlflowYaml.str(meta, "run_name"),
                RunStatus.of(meta.get("status")), MlflowYaml.num(meta, "start_time"),
                end == null ? 0L : MlflowYaml.num(meta, "end_time"), readTree(dir.resolve("params")),
                readTree(dir.resolve("tags")), metrics, dir.resolve("artifacts"), List.copyOf(dropped));
    }

    /**
     * Cuts a torn last line (no newline: an append cut by a kill) off a metric file before appending to it, so the
     * next point starts on its own line instead of gluing onto the fragment.
     */
    static void dropTornTail(Path f) throws IOException {
        if (!Files.isRegularFile(f)) return;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            if (size == 0) return;
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, size - 1);
            if (one.get(0) == '\n') return;
            long keep = 0;
            ByteBuffer buf = ByteBuffer.allocate(4096);
            for (long end = size; end > 0 && keep == 0; ) {
                long start = Math.max(0, end - buf.capacity());
                buf.clear().limit((int) (end - start));
                while (buf.hasRemaining() && ch.read(buf, start + buf.position()) >= 0) { /* fill */ }
                for (int i = (int) (end - start) - 1; i >= 0; i--) {
                    if (buf.get(i) == '\n') {
                        keep = start + i + 1;
                        break;
                    }
                }
                end = start;
            }
            ch.truncate(keep);
        }
    }

    /** Files under {@code dir} as key (relative path with '/') to content. */
    private static Map<String, String> readTree(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) return out;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") && name.contains(".tmp-")) continue; // an AtomicOutput leftover
                out.put(dir.relativize(p).toString().replace('\\', '/'), Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** A metric value as Python's float repr would write it, close enough for float() to read back exactly. */
    static String formatValue(double v) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        return Double.toString(v).toLowerCase(Locale.ROOT);
    }

    static double parseValue(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "nan" -> Double.NaN;
            case "inf", "infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    /** A file: URI without the trailing slash Path.toUri adds to existing folders (MLflow writes none). */
    public static String fileUri(Path p) {
        String u = p.toUri().toString();
        return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
    }

    private static String user() {
        return System.getProperty("user.name", "unknown");
    }
}
