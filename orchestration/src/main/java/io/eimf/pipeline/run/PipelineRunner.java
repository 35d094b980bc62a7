package io.eimf.pipeline.run;

import io.eimf.core.cli.Command;
import io.eimf.core.cli.Eimf;
import io.eimf.core.cli.EimfException;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.io.ContentHash;
import io.eimf.core.json.Json;
import io.eimf.pipeline.dag.PipelineGraph;
import io.eimf.pipeline.dag.Template;
import io.eimf.pipeline.flink.FlinkRestClient;
import io.eimf.pipeline.flink.FlinkRestExecutor;
import io.eimf.pipeline.scheduler.Scheduler;
import io.eimf.pipeline.scheduler.TaskFailedException;
import io.eimf.pipeline.scheduler.TaskFuture;
import io.eimf.pipeline.spec.PipelineSpec;
import io.eimf.pipeline.spec.TaskSpec;
import io.eimf.pipeline.store.CodeVersion;
import io.eimf.pipeline.store.InputFingerprint;
import io.eimf.pipeline.store.WorkDir;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Runs a pipeline: computes every task's content key (hash of its inputs' keys, its resolved arguments, the content
 * of external input files and the code version), skips tasks whose output folder already exists, and submits the
 * rest to a {@link Scheduler} so that independent tasks run in parallel within the declared resources. Each task
 * writes into a temporary folder that is renamed into place only on success ({@link AtomicOutput}), so a failure or
 * a kill -9 leaves nothing that looks finished; the next run picks up where this one stopped.
 */
public final class PipelineRunner {
    private final PipelineSpec spec;
    private final PipelineGraph graph;
    private final RunOptions options;
    private final List<Command> commands;
    private final String codeVersion = CodeVersion.get();
    private final Map<String, String> keys = new LinkedHashMap<>();
    private final Map<String, String> keyMaterial = new LinkedHashMap<>();
    private WorkDir work;
    private RunProgress progress;
    private FlinkRestExecutor flink;

    /** The outcome of a run. */
    public record Report(String pipeline, Map<String, TaskState> tasks, Map<String, TaskResult> results) {
        /** True when every non-optional task is done or cached. */
        public boolean ok() {
            return tasks.values().stream().allMatch(t -> t.state().equals("done") || t.state().equals("cached")
                    || t.optional() || (t.state().equals("skipped") && skippedOnlyByOptional(t)));
        }

        private boolean skippedOnlyByOptional(TaskState t) {
            return t.error() != null && t.error().contains("(optional)");
        }
    }

    public PipelineRunner(PipelineSpec spec, RunOptions options) {
        this(spec, options, Eimf.discover());
    }

    public PipelineRunner(PipelineSpec spec, RunOptions options, List<Command> commands) {
        this.spec = spec.withParams(options.params());
        this.graph = PipelineGraph.of(this.spec);
        this.options = options;
        this.commands = commands;
        if (options.until() != null && this.spec.task(options.until()) == null) {
            throw new EimfException("--until " + options.until() + ": no such task in pipeline " + spec.name());
        }
        computeKeys();
    }

    /** Every task's content key (full hex SHA-256). */
    public Map<String, String> keys() {
        return keys;
    }

    /** The tasks this run would consider, dependencies first. */
    public List<String> selected() {
        if (options.until() == null) return graph.order();
        Set<String> c = graph.closure(options.until());
        return graph.order().stream().filter(c::contains).toList();
    }

    private void computeKeys() {
        for (String id : graph.order()) {
            String material = keyMaterial(spec.task(id), keys::get);
            keyMaterial.put(id, material);
            keys.put(id, ContentHash.of(material));
        }
    }

    /**
     * What a task's key hashes. {@code depKey} gives each upstream task's key, or null for an optional upstream
     * ({@code ${opt:TASK}}) that produced nothing, so a task that ran without it gets a different key than one that
     * ran with it.
     */
    private String keyMaterial(TaskSpec t, java.util.function.Function<String, String> depKey) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", t.kind());
        List<String> argv = new ArrayList<>();
        Map<String, String> inputs = new TreeMap<>();
        for (String a : t.command()) {
            argv.add(Template.substitute(a, name -> {
                if (name.equals("out") || name.equals("work")) return "${" + name + "}";
                if (name.startsWith("params.")) return spec.params().get(name.substring(7));
                if (name.startsWith("env.")) return envValue(name.substring(4));
                String task = Template.taskOf(name);
                String k = depKey.apply(task);
                inputs.put(task, k == null ? "missing" : k);
                if (k == null) return "${missing:" + task + "}";
                return "${task:" + k + "}" + (Template.isFileReference(name) ? "/" + name.substring(0, 4) + ":" + Template.fileOf(name) : "");
            }));
        }
        for (String d : graph.upstream(t.id())) {
            String k = depKey.apply(d);
            inputs.put(d, k == null ? "missing" : k);
        }
        m.put("argv", argv);
        m.put("outOption", t.outOption());
        m.put("inputs", inputs);
        Map<String, String> external = new TreeMap<>();
        for (String in : t.inputs()) {
            String resolved = Template.substitute(in, name -> {
                if (name.startsWith("params.")) return spec.params().get(name.substring(7));
                if (name.startsWith("env.")) return envValue(name.substring(4));
                throw new EimfException(spec.source() + ": tasks." + t.id() + ".inputs: only ${params.*} and ${env.*}"
                        + " may appear in inputs (task outputs are tracked by their keys), got ${" + name + "}");
            });
            if (resolved.isBlank()) continue; // an optional input left empty
            Path p = Path.of(resolved).toAbsolutePath().normalize();
            if (!Files.exists(p)) {
                throw new EimfException(spec.source() + ": tasks." + t.id() + ".inputs: " + p + " does not exist");
            }
            try {
                external.put(resolved, InputFingerprint.of(p));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read input " + p + " of task " + t.id(), e);
            }
        }
        m.put("external", external);
        m.put("env", new TreeMap<>(t.env()));
        m.put("code", codeVersion);
        return Json.write(m);
    }

    private static String envValue(String name) {
        String v = System.getenv(name);
        return v == null ? "" : v;
    }

    /** Runs the selected tasks and returns their states; never throws for a task failure. */
    public Report run() throws IOException, InterruptedException {
        List<String> ids = selected();
        try (WorkDir w = new WorkDir(options.work()).open();
             Scheduler scheduler = new Scheduler(options.pool())) {
            this.work = w;
            if (options.flinkUrl() != null) {
                flink = new FlinkRestExecutor(new FlinkRestClient(options.flinkUrl()), options.flinkJar(),
                        options.flinkEntryClass()).recordingJobsIn(w.root().resolve("flink-jobs"));
            }
            LinkedHashMap<String, TaskState> states = new LinkedHashMap<>();
            for (String id : ids) {
                TaskSpec t = spec.task(id);
                String key = keys.get(id);
                states.put(id, new TaskState(id, t.kind(), w.isComplete(key) ? "cached" : "pending",
                        key.substring(0, WorkDir.KEY_CHARS), 0, 0, null, w.log(id, key).toString(), null, t.optional()));
            }
            progress = new RunProgress(spec, w, options, codeVersion, states);
            progress.start();
            Map<String, TaskFuture<TaskResult>> futures = new HashMap<>();
            Map<String, TaskFuture<TaskResult>> byKey = new HashMap<>();
            for (String id : ids) {
                TaskSpec t = spec.task(id);
                List<TaskFuture<TaskResult>> deps = graph.upstream(id).stream()
                        .map(d -> graph.isSoft(id, d) ? futures.get(d).orNull() : futures.get(d)).toList();
                TaskFuture<TaskResult> same = byKey.get(keys.get(id));
                TaskFuture<TaskResult> f;
                if (same != null) {
                    // Identical work declared twice: run it once and share the folder.
                    f = scheduler.submit(id, io.eimf.pipeline.spec.Resources.NONE, List.of(same), in -> {
                        TaskResult r = (TaskResult) in.get(0);
                        progress.cached(id, r.output());
                        return new TaskResult(id, r.key(), r.dir(), r.output(), true, 0, r.stdout());
                    });
                } else {
                    f = scheduler.submit(id, t.resources(), deps, in -> runTask(t, in));
                    byKey.put(keys.get(id), f);
                }
                futures.put(id, f);
            }
            Map<String, TaskResult> results = new LinkedHashMap<>();
            for (String id : ids) {
                try {
                    results.put(id, futures.get(id).get());
                } catch (TaskFailedException e) {
                    if (!e.upstream() && !progress.snapshot().get(id).state().equals("failed")) {
                        // Failed before it could start (e.g. it needs more than the pool has).
                        progress.failed(id, 0, 0, e.getMessage(), List.of());
                    }
                    if (e.upstream()) {
                        java.util.regex.Matcher m = java.util.regex.Pattern.compile("upstream task '([^']+)'")
                                .matcher(String.valueOf(e.getMessage()));
                        String up = m.find() ? m.group(1) : null;
                        progress.skipped(id, e.getMessage() + (up != null && isOptionalChain(up) ? " (optional)" : ""));
                    }
                }
            }
            progress.finish();
            return new Report(spec.name(), progress.snapshot(), results);
        } finally {
            if (progress != null) progress.stop();
            if (flink != null) flink.close();
        }
    }

    /** Whether the failure of {@code id} is tolerated: it is optional, or skipped only because of an optional one. */
    private boolean isOptionalChain(String id) {
        TaskState s = progress.snapshot().get(id);
        if (s == null) return false;
        return s.optional() || (s.error() != null && s.error().endsWith("(optional)"));
    }

    private TaskResult runTask(TaskSpec t, List<Object> inputs) throws Exception {
        Map<String, String> actual = new HashMap<>();
        List<String> ups = graph.upstream(t.id());
        for (int i = 0; i < ups.size(); i++) {
            TaskResult r = (TaskResult) inputs.get(i);
            actual.put(ups.get(i), r == null ? null : r.key());
        }
        // Equal to the planned key unless an optional upstream produced nothing (or was shared under another id).
        String material = keyMaterial(t, actual::get);
        String key = ContentHash.of(material);
        if (!key.equals(keys.get(t.id()))) {
            progress.rekeyed(t.id(), key.substring(0, WorkDir.KEY_CHARS), work.log(t.id(), key).toString());
        }
        Path dir = work.object(key);
        if (work.isComplete(key)) {
            TaskResult r = resultOf(t, key, true, 0);
            progress.cached(t.id(), r.output());
            return r;
        }
        Map<String, Path> upstream = new HashMap<>();
        for (int i = 0; i < ups.size(); i++) {
            TaskResult r = (TaskResult) inputs.get(i);
            if (r != null) upstream.put(ups.get(i), r.output());
        }
        TaskExecutor exec = executorFor(t);
        int attempts = 0;
        while (true) {
            attempts++;
            long start = System.nanoTime();
            TaskLog log = new TaskLog(work.log(t.id(), key));
            progress.started(t.id(), exec.describe(), attempts, log);
            try {
                AtomicOutput.directory(dir, false, tmp -> execute(t, key, material, tmp, upstream, exec, log));
                double secs = (System.nanoTime() - start) / 1e9;
                log.close();
                TaskResult r = resultOf(t, key, false, secs);
                progress.done(t.id(), secs, attempts, r.output());
                return r;
            } catch (Exception e) {
                double secs = (System.nanoTime() - start) / 1e9;
                log.note("FAILED: " + Eimf.class.getSimpleName() + " task " + t.id() + ": " + e.getMessage());
                List<String> tail = log.tail();
                log.close();
                if (attempts <= t.retries()) {
                    progress.retrying(t.id(), attempts, e.getMessage());
                    Thread.sleep(Math.min(30_000, 1000L << (attempts - 1)));
                    continue;
                }
                progress.failed(t.id(), secs, attempts, e.getMessage(), tail);
                throw e;
            }
        }
    }

    private void execute(TaskSpec t, String key, String material, Path tmp, Map<String, Path> upstream, TaskExecutor exec,
                         TaskLog log)
            throws Exception {
        Path out = tmp.resolve("out");
        List<String> argv = new ArrayList<>();
        boolean mentionsOut = false;
        for (String a : t.command()) {
            if (Template.references(a).contains("out")) mentionsOut = true;
            argv.add(Template.substitute(a, name -> {
                if (name.equals("out")) return out.toString();
                if (name.equals("work")) return work.root().toString();
                if (name.startsWith("params.")) return spec.params().get(name.substring(7));
                if (name.startsWith("env.")) return envValue(name.substring(4));
                Path p = upstream.get(Template.taskOf(name));
                if (p == null && name.startsWith("opt:")) return "";
                if (p == null) throw new IllegalStateException("task " + name + " has no output yet");
                if (!Template.isFileReference(name)) return p.toString();
                Path f = p.resolve(Template.fileOf(name));
                try {
                    String text = Files.readString(f, StandardCharsets.UTF_8).trim();
                    return name.startsWith("path:") ? p.resolve(text).normalize().toString() : text;
                } catch (IOException e) {
                    throw new EimfException("${" + name + "}: cannot read " + f + " (did task " + Template.taskOf(name)
                            + " write it?)");
                }
            }));
        }
        dropEmptyOptions(t.command(), argv);
        if (t.outOption() != null && !mentionsOut) {
            argv.add(t.outOption());
            argv.add(out.toString());
        }
        if (!commandAvailable(argv)) {
            List<String> words = new ArrayList<>();
            for (String a : t.command()) {
                if (a.startsWith("-") || a.contains("${")) break;
                words.add(a);
            }
            throw new EimfException("command 'eimf " + String.join(" ", words)
                    + "' is not available in this build (its module is not on the class path)");
        }
        log.note("task " + t.id() + " (" + t.kind() + ", key " + key.substring(0, 12) + ", " + exec.describe() + "): eimf "
                + String.join(" ", argv));
        Instant started = Instant.now();
        int code = exec.run(t, argv, tmp.resolve("stdout.txt"), log);
        if (code != 0) throw new EimfException("task " + t.id() + " exited with status " + code);
        if (t.outOption() != null && !Files.exists(out)) {
            throw new EimfException("task " + t.id() + " succeeded but wrote nothing to its output folder (" + t.outOption() + ")");
        }
        Map<String, Object> prov = new LinkedHashMap<>();
        prov.put("task", t.id());
        prov.put("kind", t.kind());
        prov.put("pipeline", spec.name());
        prov.put("key", key);
        prov.put("codeVersion", codeVersion);
        prov.put("argv", argv.stream().map(a -> a.replace(tmp.toString(), work.object(key).toString())).toList());
        prov.put("executor", exec.describe());
        prov.put("startedAt", started.toString());
        prov.put("finishedAt", Instant.now().toString());
        prov.put("keyMaterial", Json.mapper().readTree(material));
        Files.writeString(tmp.resolve("task.json"), Json.pretty(prov));
    }

    /**
     * Leaves out {@code --opt VALUE} pairs whose value is a single reference that resolved to nothing (an unset
     * parameter, an optional task that produced nothing), so commands see their defaults rather than "".
     */
    public static void dropEmptyOptions(List<String> template, List<String> argv) {
        for (int i = template.size() - 1; i >= 1; i--) {
            String v = template.get(i);
            boolean wholeReference = v.startsWith("${") && v.endsWith("}") && v.indexOf("${", 2) < 0;
            if (wholeReference && argv.get(i).isEmpty() && template.get(i - 1).startsWith("--")) {
                argv.remove(i);
                argv.remove(i - 1);
                i--;
            }
        }
    }

    private boolean commandAvailable(List<String> argv) {
        for (Command c : commands) {
            String[] words = c.name().split(" ");
            if (words.length <= argv.size() && Arrays.equals(words, argv.subList(0, words.length).toArray())) return true;
        }
        return false;
    }

    private TaskExecutor executorFor(TaskSpec t) {
        if (t.flink() && flink != null) return flink;
        return t.isolation() == TaskSpec.Isolation.PROCESS ? new ProcessExecutor() : new InProcessExecutor(commands);
    }

    private TaskResult resultOf(TaskSpec t, String key, boolean cached, double secs) throws IOException {
        Path dir = work.object(key);
        Path stdout = dir.resolve("stdout.txt");
        String text = Files.exists(stdout) ? Files.readString(stdout, StandardCharsets.UTF_8) : "";
        Path output = t.outOption() != null || Files.isDirectory(dir.resolve("out")) ? dir.resolve("out") : dir;
        return new TaskResult(t.id(), key, dir, output, cached, secs, text);
    }

    /** Formats a report as the table {@code eimf pipeline run} prints. */
    public static String table(Report r) {
        StringBuilder b = new StringBuilder();
        int w = Math.max(4, r.tasks().keySet().stream().mapToInt(String::length).max().orElse(4));
        b.append(String.format(Locale.ROOT, "%-" + w + "s  %-8s  %-7s  %8s  %-20s  %s%n", "task", "kind", "state", "seconds",
                "key", "output"));
        for (TaskState s : r.tasks().values()) {
            b.append(String.format(Locale.ROOT, "%-" + w + "s  %-8s  %-7s  %8.1f  %-20s  %s%n", s.id(), s.kind(),
                    s.state(), s.seconds(), s.key(), s.output() != null ? s.output()
                            : s.error() != null ? "(" + s.error() + ")" : ""));
        }
        return b.toString();
    }
}
