package io.eimf.pipeline.flink;

import io.eimf.core.cli.EimfException;
import io.eimf.pipeline.run.TaskExecutor;
import io.eimf.pipeline.run.TaskLog;
import io.eimf.pipeline.spec.PipelineSpecReader;
import io.eimf.pipeline.spec.TaskSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Runs a Flink task (e.g. {@code prepare}) on a Flink cluster: uploads the shaded job jar once per run, runs its
 * entry class with the task's arguments and waits for the job to finish (the job commits its own output). Input and
 * output paths must be visible to the cluster under the same names (in docker-compose, the shared {@code /data}
 * volume). A job that fails or is cancelled fails the task with the cluster's reason. Each job in flight is recorded
 * under {@code jobs} ({@code TASK.json}); a runner that is stopped cancels its jobs, and one that was killed has its
 * leftover jobs cancelled by the next run before the task is submitted again (their output folder belonged to the
 * dead run, so re-attaching could not use it).
 */
public final class FlinkRestExecutor implements TaskExecutor {
    /** The job jar's entry point of {@code eimf cluster}. */
    public static final String CLUSTER_ENTRY_CLASS = "io.eimf.flink.cluster.ClusterJob";
    private final FlinkRestClient client;
    private final Path jar;
    private final String entryClass;
    private String jarId;
    private Path jobs;
    private final java.util.Set<String> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private Thread shutdownHook;
    private Duration poll = Duration.ofSeconds(2);
    private Duration timeout = Duration.ofHours(6);

    /**
     * @param jar the job jar; null finds flink-jobs/target/eimf-flink-jobs-*-job.jar (from the working directory or
     *     the launcher's root) or the copy in the local Maven repository
     */
    public FlinkRestExecutor(FlinkRestClient client, Path jar, String entryClass) {
        this.client = client;
        this.jar = jar;
        this.entryClass = entryClass;
    }

    /** How often to poll and how long to wait at most. */
    public FlinkRestExecutor polling(Duration every, Duration max) {
        this.poll = every;
        this.timeout = max;
        return this;
    }

    /**
     * Records jobs in flight under {@code dir} (the work folder's {@code flink-jobs}) and cancels the ones a killed
     * earlier run left behind when their task comes up again; also cancels this run's jobs if the JVM is stopped.
     */
    public FlinkRestExecutor recordingJobsIn(Path dir) {
        this.jobs = dir;
        if (shutdownHook == null) {
            shutdownHook = new Thread(this::cancelInFlight, "eimf-flink-cancel-on-exit");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        return this;
    }

    /** Stops cancelling on exit (the run is over; nothing of it is in flight). */
    public void close() {
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs
            }
            shutdownHook = null;
        }
    }

    private void cancelInFlight() {
        for (String id : inFlight) {
            try {
                client.cancel(id);
            } catch (Exception e) {
                // best effort while the JVM exits
            }
        }
    }

    /** Cancels the job a killed earlier run left for this task, if it still runs, and waits until it has ended. */
    private void cancelLeftover(TaskSpec task, TaskLog log) throws IOException, InterruptedException {
        if (jobs == null) return;
        Path rec = jobs.resolve(task.id() + ".json");
        if (!Files.exists(rec)) return;
        String jobId = io.eimf.core.json.Json.mapper().readTree(rec.toFile()).path("job").asText("");
        String url = io.eimf.core.json.Json.mapper().readTree(rec.toFile()).path("url").asText("");
        if (!jobId.isEmpty() && url.equals(client.base().toString())) {
            String state;
            try {
                state = client.jobState(jobId);
            } catch (EimfException e) {
                state = "UNKNOWN"; // the cluster forgot it (restarted): nothing to cancel
            }
            if (!FlinkRestClient.TERMINAL.contains(state) && !state.equals("UNKNOWN")) {
                log.note("cancelling Flink job " + jobId + " (" + state + ") left running by an earlier run of task "
                        + task.id() + " that was killed");
                client.cancel(jobId);
                String end = client.await(jobId, poll, Duration.ofMinutes(2), s -> log.note("Flink job " + jobId + ": " + s));
                log.note("earlier Flink job " + jobId + " ended " + end);
            }
        }
        Files.deleteIfExists(rec);
    }

    /** Finds the shaded job jar of this checkout: under {@code EIMF_ROOT} (set by ./eimf), else the working directory. */
    public static Path findJobJar() throws IOException {
        String root = System.getProperty("eimf.root", System.getenv().getOrDefault("EIMF_ROOT", "."));
        // Only this checkout's build: a jar installed in ~/.m2 may be a stale snapshot and was once uploaded silently.
        for (Path dir : List.of(Path.of(root, "flink-jobs", "target"), Path.of("flink-jobs", "target"))) {
            if (!Files.isDirectory(dir)) continue;
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "eimf-flink-jobs-*-job.jar")) {
                for (Path p : ds) return p;
            }
        }
        throw new EimfException("cannot find the Flink job jar eimf-flink-jobs-*-job.jar (build it with "
                + "'mvn -pl flink-jobs package' or pass --flink-jar)");
    }

    @Override
    public int run(TaskSpec task, List<String> argv, Path stdoutFile, TaskLog log) throws Exception {
        String id;
        synchronized (this) {
            if (jarId == null) {
                Path j = jar != null ? jar : findJobJar();
                log.note("uploading " + j + " to " + client.base());
                jarId = client.uploadJar(j);
            }
            id = jarId;
        }
        int words = PipelineSpecReader.KIND_COMMANDS.getOrDefault(task.kind(), List.of()).size();
        List<String> args = new java.util.ArrayList<>();
        for (int i = words; i < argv.size(); i++) {
            // --engine picks the local engine of `eimf prepare`; the job's own main does not take it.
            if (argv.get(i).equals("--engine") && i + 1 < argv.size()) {
                i++;
                continue;
            }
            args.add(argv.get(i));
        }
        cancelLeftover(task, log);
        String main = entryClassFor(task.kind());
        log.note("running " + main + " from jar " + id + " with " + String.join(" ", args));
        String jobId = client.runJar(id, main, args, null);
        log.note("submitted Flink job " + jobId);
        inFlight.add(jobId);
        Path rec = null;
        if (jobs != null) {
            Files.createDirectories(jobs);
            rec = jobs.resolve(task.id() + ".json");
            io.eimf.core.io.AtomicOutput.text(rec, io.eimf.core.json.Json.write(java.util.Map.of("job", jobId,
                    "url", client.base().toString(), "task", task.id())));
        }
        String state;
        try {
            state = client.await(jobId, poll, timeout, s -> log.note("Flink job " + jobId + ": " + s));
        } catch (InterruptedException | RuntimeException | IOException e) {
            // Interrupted, timed out or the cluster stopped answering: do not leave the job running unaccounted.
            try {
                client.cancel(jobId);
                log.note("cancelled Flink job " + jobId + " (" + e.getMessage() + ")");
            } catch (Exception c) {
                log.note("could not cancel Flink job " + jobId + ": " + c.getMessage());
            }
            throw e;
        } finally {
            inFlight.remove(jobId);
        }
        if (rec != null) Files.deleteIfExists(rec);
        Files.writeString(stdoutFile, "flink job " + jobId + " " + state + " at " + client.base() + "\n",
                StandardCharsets.UTF_8);
        if (!state.equals("FINISHED")) {
            String cause = client.failureCause(jobId);
            String msg = "Flink job " + jobId + " " + state + " at " + client.base()
                    + (cause.isEmpty() ? "" : ": " + cause);
            log.note(msg);
            throw new EimfException(msg);
        }
        return 0;
    }

    /** The job jar's entry class for a task kind: {@code cluster} has its own; the rest use the configured one. */
    String entryClassFor(String kind) {
        return kind.equals("cluster") ? CLUSTER_ENTRY_CLASS : entryClass;
    }

    @Override
    public String describe() {
        return "flink@" + client.base();
    }
}
