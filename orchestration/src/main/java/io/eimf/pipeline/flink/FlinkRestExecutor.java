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
 * entry class with the task's arguments and waits for the job to finish. Input and output paths must be visible to
 * the cluster under the same names (in docker-compose, the shared {@code /data} volume).
 */
public final class FlinkRestExecutor implements TaskExecutor {
    private final FlinkRestClient client;
    private final Path jar;
    private final String entryClass;
    private String jarId;
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

    /** Finds the shaded job jar. */
    public static Path findJobJar() throws IOException {
        String root = System.getProperty("eimf.root", System.getenv().getOrDefault("EIMF_ROOT", "."));
        for (Path dir : List.of(Path.of(root, "flink-jobs", "target"), Path.of("flink-jobs", "target"),
                Path.of(System.getProperty("user.home"), ".m2", "repository", "io", "eimf", "eimf-flink-jobs",
                        "0.1.0-SNAPSHOT"))) {
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
        log.note("running " + entryClass + " from jar " + id + " with " + String.join(" ", args));
        String jobId = client.runJar(id, entryClass, args, null);
        log.note("submitted Flink job " + jobId);
        String state = client.await(jobId, poll, timeout, s -> log.note("Flink job " + jobId + ": " + s));
        Files.writeString(stdoutFile, "flink job " + jobId + " " + state + " at " + client.base() + "\n",
                StandardCharsets.UTF_8);
        if (!state.equals("FINISHED")) {
            String cause = client.failureCause(jobId);
            log.note("Flink job " + jobId + " ended " + state + (cause.isEmpty() ? "" : ": " + cause));
            return 1;
        }
        return 0;
    }

    @Override
    public String describe() {
        return "flink@" + client.base();
    }
}
