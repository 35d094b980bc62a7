package io.eimf.pipeline.run;

import io.eimf.core.io.AtomicOutput;
import io.eimf.core.json.Json;
import io.eimf.pipeline.spec.PipelineSpec;
import io.eimf.pipeline.store.WorkDir;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live progress of a run: one stderr line per task transition, a periodic line naming what each running task is
 * doing (the last line of its log), and the run record {@code runs/PIPELINE.json} rewritten atomically on every
 * change so {@code eimf pipeline status} can read it from another shell.
 */
final class RunProgress {
    private final PipelineSpec spec;
    private final WorkDir work;
    private final RunOptions options;
    private final String codeVersion;
    private final LinkedHashMap<String, TaskState> states;
    private final Map<String, TaskLog> running = new ConcurrentHashMap<>();
    private final Map<String, Long> startedAt = new ConcurrentHashMap<>();
    private final String startTime = Instant.now().toString();
    private final long t0 = System.nanoTime();
    private final PrintStream out;
    private Thread heartbeat;
    private volatile boolean finished;

    RunProgress(PipelineSpec spec, WorkDir work, RunOptions options, String codeVersion,
                LinkedHashMap<String, TaskState> states) {
        this.spec = spec;
        this.work = work;
        this.options = options;
        this.codeVersion = codeVersion;
        this.states = states;
        this.out = options.progress();
    }

    void start() {
        long cached = states.values().stream().filter(s -> s.state().equals("cached")).count();
        print(String.format(Locale.ROOT, "%d task(s), %d already done; pool %s; work %s", states.size(), cached,
                options.pool(), work.root()));
        save();
        heartbeat = new Thread(() -> {
            try {
                while (!finished) {
                    Thread.sleep(options.heartbeat().toMillis());
                    if (!running.isEmpty()) beat();
                }
            } catch (InterruptedException ignored) {
                // stop
            }
        }, "eimf-progress");
        heartbeat.setDaemon(true);
        heartbeat.start();
    }

    private void beat() {
        StringBuilder b = new StringBuilder();
        long done = states.values().stream().filter(s -> s.state().equals("done") || s.state().equals("cached")).count();
        b.append(done).append('/').append(states.size()).append(" done; running:");
        for (Map.Entry<String, TaskLog> e : running.entrySet()) {
            long secs = (System.nanoTime() - startedAt.getOrDefault(e.getKey(), System.nanoTime())) / 1_000_000_000L;
            String last = e.getValue().lastLine();
            if (last.length() > 100) last = last.substring(0, 100) + "...";
            b.append(' ').append(e.getKey()).append(" (").append(secs).append("s").append(last.isEmpty() ? "" : ": " + last)
                    .append(')');
        }
        print(b.toString());
    }

    synchronized void started(String id, String where, int attempt, TaskLog log) {
        running.put(id, log);
        startedAt.put(id, System.nanoTime());
        update(id, states.get(id).with("running", 0, attempt, null, null));
        print(String.format(Locale.ROOT, "%-14s started (%s%s, %s) log %s", id, where,
                attempt > 1 ? ", attempt " + attempt : "", spec.task(id).resources(), log.file()));
    }

    synchronized void rekeyed(String id, String key, String log) {
        TaskState s = states.get(id);
        states.put(id, new TaskState(s.id(), s.kind(), s.state(), key, s.seconds(), s.attempts(), s.output(), log,
                s.error(), s.optional()));
    }

    synchronized void done(String id, double secs, int attempts, Path output) {
        running.remove(id);
        update(id, states.get(id).with("done", secs, attempts, output.toString(), null));
        print(String.format(Locale.ROOT, "%-14s done in %.1fs -> %s", id, secs, output));
    }

    synchronized void cached(String id, Path output) {
        update(id, states.get(id).with("cached", 0, 0, output.toString(), null));
        print(String.format(Locale.ROOT, "%-14s cached (finished in an earlier run) -> %s", id, output));
    }

    synchronized void retrying(String id, int attempt, String error) {
        running.remove(id);
        print(String.format(Locale.ROOT, "%-14s attempt %d failed (%s); retrying", id, attempt, error));
    }

    synchronized void failed(String id, double secs, int attempts, String error, List<String> tail) {
        running.remove(id);
        TaskState s = states.get(id);
        update(id, s.with("failed", secs, attempts, null, error));
        print(String.format(Locale.ROOT, "%-14s FAILED after %.1fs%s: %s", id, secs,
                s.optional() ? " (optional task, the pipeline goes on)" : "", error));
        if (tail.isEmpty()) return;
        print("  log " + s.log() + " ends with:");
        int from = Math.max(0, tail.size() - 12);
        for (String line : tail.subList(from, tail.size())) out.println("    | " + line);
    }

    synchronized void skipped(String id, String why) {
        update(id, states.get(id).with("skipped", 0, 0, null, why));
        print(String.format(Locale.ROOT, "%-14s skipped: %s", id, why));
    }

    synchronized void finish() {
        finished = true;
        long failed = states.values().stream().filter(s -> s.state().equals("failed")).count();
        print(String.format(Locale.ROOT, "finished in %.1fs: %d done, %d cached, %d failed, %d skipped",
                (System.nanoTime() - t0) / 1e9, count("done"), count("cached"), failed, count("skipped")));
        save();
    }

    void stop() {
        finished = true;
        if (heartbeat != null) heartbeat.interrupt();
    }

    private long count(String state) {
        return states.values().stream().filter(s -> s.state().equals(state)).count();
    }

    synchronized Map<String, TaskState> snapshot() {
        return new LinkedHashMap<>(states);
    }

    private void update(String id, TaskState s) {
        states.put(id, s);
        save();
    }

    private void save() {
        RunRecord r = new RunRecord(spec.name(), spec.source(), codeVersion, options.pool().toString(), startTime,
                Instant.now().toString(), finished, ProcessHandle.current().pid(), states);
        try {
            AtomicOutput.text(work.runRecord(spec.name()), Json.pretty(r));
        } catch (IOException e) {
            out.println("[pipeline " + spec.name() + "] warning: cannot write run record: " + e.getMessage());
        }
    }

    private void print(String line) {
        out.println("[pipeline " + spec.name() + "] " + line);
    }
}
