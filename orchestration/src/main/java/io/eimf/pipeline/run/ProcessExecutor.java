package io.eimf.pipeline.run;

import io.eimf.pipeline.spec.Resources;
import io.eimf.pipeline.spec.TaskSpec;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a task's command in a child JVM with this JVM's class path and module opens, its heap sized from the task's
 * declared memory. Used for training ({@code isolation: process}) so a crash or leak stays in the child; the same
 * artifacts and command line run on another host (e.g. a GPU machine) the same way.
 */
public final class ProcessExecutor implements TaskExecutor {
    private final String java;
    private final String classpath;
    private final List<String> jvmFlags;

    public ProcessExecutor() {
        this(Path.of(System.getProperty("java.home"), "bin", "java").toString(), System.getProperty("java.class.path"),
                inheritedFlags());
    }

    public ProcessExecutor(String java, String classpath, List<String> jvmFlags) {
        this.java = java;
        this.classpath = classpath;
        this.jvmFlags = List.copyOf(jvmFlags);
    }

    /** The --add-opens/--add-exports flags this JVM was started with (Flink and ND4J need them). */
    static List<String> inheritedFlags() {
        List<String> out = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("-Deimf.")) out.add(a);
        }
        return out;
    }

    /** The full command line for a task, for the log and for running it by hand elsewhere. */
    public List<String> commandLine(TaskSpec task, List<String> argv) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        Resources r = task.resources();
        if (r.memory() >= 64L << 20) cmd.add("-Xmx" + Math.max(64, (r.memory() >> 20)) + "m");
        cmd.addAll(jvmFlags);
        cmd.add("-Deimf.parent.pid=" + ProcessHandle.current().pid());
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(ChildMain.class.getName());
        cmd.addAll(argv);
        return cmd;
    }

    @Override
    public int run(TaskSpec task, List<String> argv, Path stdoutFile, TaskLog log) throws Exception {
        List<String> cmd = commandLine(task, argv);
        log.note("child JVM: " + String.join(" ", cmd.subList(0, Math.min(cmd.size(), 3))) + " ... "
                + String.join(" ", argv));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(stdoutFile.toFile());
        pb.environment().putAll(task.env());
        Process p = pb.start();
        try (InputStream err = p.getErrorStream()) {
            err.transferTo(log);
            int code = p.waitFor();
            log.write(Files.readAllBytes(stdoutFile));
            return code;
        } finally {
            if (p.isAlive()) p.destroyForcibly();
        }
    }

    @Override
    public String describe() {
        return "process";
    }
}
