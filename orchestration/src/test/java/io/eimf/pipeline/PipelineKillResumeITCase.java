package io.eimf.pipeline;

import static io.eimf.pipeline.testing.Pipelines.count;
import static io.eimf.pipeline.testing.Pipelines.eimf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.pipeline.testing.Pipelines;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real {@code eimf pipeline run} JVM with SIGKILL (kill -9) while a task is half way through writing its
 * output, then runs the pipeline again: it must finish with the same final value as an uninterrupted run, without
 * running the tasks that had finished again, and leave no temporary folders behind.
 */
class PipelineKillResumeITCase {
    /** Pinned so that a jar rebuilt in ~/.m2 by someone else mid-test does not change the task keys. */
    private static final String CODE_VERSION = "kill-resume-test";

    @TempDir
    Path tmp;

    @org.junit.jupiter.api.BeforeAll
    static void pinCodeVersion() {
        System.setProperty("eimf.code.version", CODE_VERSION);
    }

    @org.junit.jupiter.api.AfterAll
    static void unpinCodeVersion() {
        System.clearProperty("eimf.code.version");
    }

    private String chain(Path markers) {
        // a -> b -> slow -> d, plus e beside them; "slow" is killed mid-way.
        return """
                pipeline: chain
                tasks:
                  a:
                    kind: command
                    run: [test-step, --name, a, --markers, "%1$s", --value, "5"]
                    out: --out
                  b:
                    kind: command
                    run: [test-step, --name, b, --markers, "%1$s", --value, "7", --input, "${a}"]
                    out: --out
                  slow:
                    kind: command
                    run: [test-step, --name, slow, --markers, "%1$s", --value, "11", --input, "${b}", --sleep-ms, "%2$s"]
                    out: --out
                    isolation: %3$s
                  d:
                    kind: command
                    run: [test-step, --name, d, --markers, "%1$s", --value, "13", --input, "${slow}", --input, "${a}"]
                    out: --out
                """;
    }

    private Process start(Path file, Path work) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-Deimf.code.version=" + CODE_VERSION);
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens")) cmd.add(a);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.eimf.core.cli.Eimf", "pipeline", "run",
                file.toString(), "--work", work.toString(), "--resources", "cpu=1"));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(work.resolveSibling(work.getFileName() + ".child.log").toFile()).start();
    }

    private void killMidTaskThenResume(String isolation) throws Exception {
        Path markers = tmp.resolve("markers-" + isolation);
        Path work = tmp.resolve("work-" + isolation);
        Files.createDirectories(work);
        Path file = Pipelines.write(tmp, "chain-" + isolation + ".yaml",
                chain(markers).formatted(markers, "4000", isolation));

        Process child = start(file, work);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (count(markers, "slow", "start") == 0) {
            assertTrue(child.isAlive(), "runner exited early: "
                    + Files.readString(work.resolveSibling(work.getFileName() + ".child.log")));
            assertTrue(System.nanoTime() < deadline, "task 'slow' never started");
            Thread.sleep(50);
        }
        Thread.sleep(500);
        child.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
        assertTrue(child.waitFor(20, TimeUnit.SECONDS));
        assertEquals(137, child.exitValue(), "killed by SIGKILL");
        assertEquals(0, count(markers, "slow", "done"));
        assertEquals(1, count(markers, "a", "done"));
        assertEquals(1, count(markers, "b", "done"));
        // The killed task left its half-written temporary folder: nothing that looks complete.
        try (Stream<Path> s = Files.list(work.resolve("objects"))) {
            assertEquals(2, s.filter(p -> !p.getFileName().toString().startsWith(".")).count());
        }
        Thread.sleep(isolation.equals("process") ? 1500 : 0); // let an orphaned task JVM notice its parent is gone

        Pipelines.Run status = eimf("pipeline", "status", "--work", work.toString());
        assertTrue(status.out().contains("interrupted"), status.out());

        Pipelines.Run resumed = eimf("pipeline", "run", file.toString(), "--work", work.toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertEquals(1, count(markers, "a", "start"), "a must not run again");
        assertEquals(1, count(markers, "b", "start"), "b must not run again");
        assertEquals(2, count(markers, "slow", "start"));
        assertEquals(1, count(markers, "slow", "done"));
        assertEquals(1, count(markers, "d", "done"));
        // 5, 12, 23, d = 13 + 23 + 5 = 41
        Path d = PipelineRunnerTest.finalOutput(work, resumed.out(), "d");
        assertEquals("41", Files.readString(d.resolve("value.txt")).trim());
        try (Stream<Path> s = Files.list(work.resolve("objects"))) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".")), "temporary folders left");
        }

        // Same final value as a run that was never interrupted.
        Path fresh = tmp.resolve("fresh-" + isolation);
        Path file2 = Pipelines.write(tmp, "chain2-" + isolation + ".yaml",
                chain(tmp.resolve("m2-" + isolation)).formatted(tmp.resolve("m2-" + isolation), "10", isolation));
        Pipelines.Run clean = eimf("pipeline", "run", file2.toString(), "--work", fresh.toString());
        assertEquals(0, clean.code(), clean.err());
        assertEquals("41", Files.readString(PipelineRunnerTest.finalOutput(fresh, clean.out(), "d")
                .resolve("value.txt")).trim());
    }

    @Test
    void killDuringInProcessTaskThenResume() throws Exception {
        killMidTaskThenResume("in-process");
    }

    @Test
    void killDuringChildJvmTaskThenResume() throws Exception {
        killMidTaskThenResume("process");
    }

    /** Kills the runner at several points (start-up, between tasks, inside tasks), resuming after each kill. */
    @Test
    void killAtArbitraryPointsStillConverges() throws Exception {
        Path markers = tmp.resolve("markers-any");
        Path work = tmp.resolve("work-any");
        Files.createDirectories(work);
        Path file = Pipelines.write(tmp, "chain-any.yaml", chain(markers).formatted(markers, "700", "in-process"));
        for (long delayMs : new long[] {150, 900, 1700, 2600}) {
            Process child = start(file, work);
            Thread.sleep(delayMs);
            child.destroyForcibly();
            assertTrue(child.waitFor(20, TimeUnit.SECONDS));
        }
        Pipelines.Run resumed = eimf("pipeline", "run", file.toString(), "--work", work.toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertEquals("41", Files.readString(PipelineRunnerTest.finalOutput(work, resumed.out(), "d")
                .resolve("value.txt")).trim());
        for (String t : new String[] {"a", "b", "slow", "d"}) {
            // A kill can land between a task's last line and the rename that completes it, so a task may finish
            // twice, but it starts at most once per run: finished tasks are never started again.
            assertTrue(count(markers, t, "done") >= 1, t);
            assertTrue(count(markers, t, "start") <= 5, t + " started " + count(markers, t, "start") + " times in 5 runs");
        }
        try (Stream<Path> s = Files.list(work.resolve("objects"))) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".")), "temporary folders left");
        }
    }

    static String classpath() {
        return System.getProperty("java.class.path").replace(File.pathSeparator, "\n");
    }
}
