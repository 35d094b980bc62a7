package io.eimf.pipeline.run;

import io.eimf.pipeline.spec.Resources;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to run a pipeline. Required: the work folder; the rest have defaults (this machine's resources, no parameter
 * overrides, the embedded Flink mini-cluster, progress to stderr every 10 s).
 */
public final class RunOptions {
    private final Path work;
    private Resources pool = Resources.ofThisMachine();
    private final Map<String, String> params = new LinkedHashMap<>();
    private String flinkUrl;
    private Path flinkJar;
    private String flinkEntryClass = "io.eimf.flink.prepare.PrepareJob";
    private String until;
    private PrintStream progress = System.err;
    private Duration heartbeat = Duration.ofSeconds(10);

    public RunOptions(Path work) {
        this.work = work;
    }

    public Path work() {
        return work;
    }

    public Resources pool() {
        return pool;
    }

    /** The resources the scheduler may hand out at once. */
    public RunOptions pool(Resources r) {
        this.pool = r;
        return this;
    }

    public Map<String, String> params() {
        return params;
    }

    /** Overrides a pipeline parameter ({@code --set name=value}). */
    public RunOptions param(String name, String value) {
        params.put(name, value);
        return this;
    }

    public String flinkUrl() {
        return flinkUrl;
    }

    /** Sends Flink tasks to this cluster's REST API instead of the embedded mini-cluster. */
    public RunOptions flinkUrl(String url) {
        this.flinkUrl = url;
        return this;
    }

    public Path flinkJar() {
        return flinkJar;
    }

    /** The shaded job jar to upload (default: flink-jobs/target/eimf-flink-jobs-*-job.jar, then ~/.m2). */
    public RunOptions flinkJar(Path jar) {
        this.flinkJar = jar;
        return this;
    }

    public String flinkEntryClass() {
        return flinkEntryClass;
    }

    public RunOptions flinkEntryClass(String cls) {
        this.flinkEntryClass = cls;
        return this;
    }

    public String until() {
        return until;
    }

    /** Runs only this task and what it depends on. */
    public RunOptions until(String task) {
        this.until = task;
        return this;
    }

    public PrintStream progress() {
        return progress;
    }

    public RunOptions progress(PrintStream p) {
        this.progress = p;
        return this;
    }

    public Duration heartbeat() {
        return heartbeat;
    }

    /** How often to print what the running tasks are doing. */
    public RunOptions heartbeat(Duration d) {
        this.heartbeat = d;
        return this;
    }
}
