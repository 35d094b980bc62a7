package io.eimf.core.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs {@code io.eimf.core.cli.Eimf} in a child JVM with the test classpath and the test JVM's {@code --add-opens}
 * flags, so a test can kill it for real ({@link Process#destroyForcibly()} is SIGKILL on POSIX) and resume.
 */
public final class ChildJvm {
    private ChildJvm() {}

    /** Starts {@code eimf ARGS...}; stdout and stderr go to {@code log} (appended). */
    public static Process eimf(Path log, Map<String, String> env, List<String> jvmArgs, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--add-exports")) cmd.add(a);
        }
        cmd.add("-Xmx768m");
        cmd.add("-XX:TieredStopAtLevel=1"); // short runs: compile time dominates otherwise
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.eimf.core.cli.Eimf");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Waits for the child to exit and returns its code; kills it and fails after {@code limit}. */
    public static int await(Process p, Duration limit, Path log) throws Exception {
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("child JVM ran past " + limit + "; log:\n" + tail(log));
        }
        return p.exitValue();
    }

    /**
     * Polls {@code condition} every 20 ms while the child lives; true once it holds, false when the child exited
     * first or {@code limit} passed.
     */
    public static boolean awaitCondition(Process p, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) return true;
            if (!p.isAlive()) return condition.getAsBoolean();
            Thread.sleep(20);
        }
        return false;
    }

    /** SIGKILL, then waits until the process is gone. */
    public static void kill(Process p) throws InterruptedException {
        p.destroyForcibly();
        p.waitFor();
    }

    /** The last 4000 characters of a log, for failure messages. */
    public static String tail(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
