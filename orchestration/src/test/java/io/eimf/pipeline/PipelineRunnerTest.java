package io.eimf.pipeline;

import static io.eimf.pipeline.testing.Pipelines.count;
import static io.eimf.pipeline.testing.Pipelines.eimf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.pipeline.run.PipelineRunner;
import io.eimf.pipeline.run.RunOptions;
import io.eimf.pipeline.spec.PipelineSpec;
import io.eimf.pipeline.spec.PipelineSpecReader;
import io.eimf.pipeline.spec.Resources;
import io.eimf.pipeline.testing.Pipelines;
import io.eimf.pipeline.testing.StepCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineRunnerTest {
    @TempDir
    Path tmp;

    private String diamond(Path markers, String extraC) {
        return """
                pipeline: diamond
                params:
                  base: "10"
                tasks:
                  a:
                    kind: command
                    run: [test-step, --name, a, --markers, "%1$s", --value, "${params.base}"]
                    out: --out
                  b:
                    kind: command
                    run: [test-step, --name, b, --markers, "%1$s", --value, "2", --input, "${a}"]
                    out: --out
                  c:
                    kind: command
                    run: [test-step, --name, c, --markers, "%1$s", --value, "3", --input, "${a}" %2$s]
                    out: --out
                  d:
                    kind: command
                    run: [test-step, --name, d, --markers, "%1$s", --value, "0", --input, "${b}", --input, "${c}"]
                    out: --out
                """.formatted(markers, extraC);
    }

    @Test
    void runsDagThenSkipsCompletedTasksOnRerun() throws Exception {
        Path markers = tmp.resolve("markers");
        Path file = Pipelines.write(tmp, "p.yaml", diamond(markers, ""));
        Path work = tmp.resolve("work");
        Pipelines.Run r1 = eimf("pipeline", "run", file.toString(), "--work", work.toString(), "--resources", "cpu=2");
        assertEquals(0, r1.code(), r1.err());
        // a=10, b=12, c=13, d=25
        Path d = finalOutput(work, r1.out(), "d");
        assertEquals("25", Files.readString(d.resolve("value.txt")).trim());
        for (String t : new String[] {"a", "b", "c", "d"}) assertEquals(1, count(markers, t, "done"), t);
        assertTrue(r1.err().contains("[pipeline diamond]"), r1.err());

        Pipelines.Run r2 = eimf("pipeline", "run", file.toString(), "--work", work.toString());
        assertEquals(0, r2.code(), r2.err());
        for (String t : new String[] {"a", "b", "c", "d"}) assertEquals(1, count(markers, t, "start"), t);
        assertTrue(r2.out().lines().filter(l -> l.contains(" cached ")).count() == 4, r2.out());

        // A changed parameter changes the keys of every task downstream of its use.
        Pipelines.Run r3 = eimf("pipeline", "run", file.toString(), "--work", work.toString(), "--set", "base=20");
        assertEquals(0, r3.code(), r3.err());
        assertEquals("45", Files.readString(finalOutput(work, r3.out(), "d").resolve("value.txt")).trim());
        assertEquals(2, count(markers, "a", "start"));

        Pipelines.Run st = eimf("pipeline", "status", "--work", work.toString());
        assertEquals(0, st.code(), st.err());
        assertTrue(st.out().contains("pipeline diamond: finished"), st.out());
        Pipelines.Run ls = eimf("pipeline", "list", "--work", work.toString());
        assertEquals(0, ls.code(), ls.err());
        assertTrue(ls.out().contains("diamond") && ls.out().contains("demo"), ls.out());
    }

    static Path finalOutput(Path work, String table, String task) {
        String line = table.lines().filter(l -> l.startsWith(task + " ")).findFirst().orElseThrow();
        return Path.of(line.substring(line.lastIndexOf("  ") + 2).trim());
    }

    @Test
    void failedTaskLeavesNoPartialOutputAndReportsItsLog() throws Exception {
        Path markers = tmp.resolve("markers");
        Path file = Pipelines.write(tmp, "p.yaml", diamond(markers, ", --fail"));
        Path work = tmp.resolve("work");
        Pipelines.Run r = eimf("pipeline", "run", file.toString(), "--work", work.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("c              FAILED"), r.err());
        assertTrue(r.err().contains("c: failing on purpose"), r.err());
        assertTrue(r.err().contains("log " + work.toAbsolutePath()), r.err());
        assertTrue(r.out().contains("skipped"), r.out());
        assertEquals(0, count(markers, "d", "start"), "d depends on c and must not run");
        // Only a and b have output folders; no temporary folder survives; c's log holds its error.
        try (Stream<Path> s = Files.list(work.resolve("objects"))) {
            assertEquals(2, s.count());
        }
        try (Stream<Path> s = Files.walk(work.resolve("objects"))) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().equals("partial.txt")
                    && !p.getParent().resolve("value.txt").toFile().exists()), "partial output left behind");
        }
        try (Stream<Path> s = Files.list(work.resolve("logs"))) {
            Path log = s.filter(p -> p.getFileName().toString().startsWith("c-")).findFirst().orElseThrow();
            assertTrue(Files.readString(log).contains("failing on purpose"));
        }
        Pipelines.Run st = eimf("pipeline", "status", "diamond", "--work", work.toString());
        assertTrue(st.out().contains("failed"), st.out());
    }

    @Test
    void retriesTransientFailures() throws Exception {
        Path markers = tmp.resolve("markers");
        Path file = Pipelines.write(tmp, "p.yaml", """
                pipeline: flaky
                tasks:
                  x:
                    kind: command
                    run: [test-step, --name, x, --markers, "%s", --fail-times, "1"]
                    out: --out
                    retries: 2
                """.formatted(markers));
        Pipelines.Run r = eimf("pipeline", "run", file.toString(), "--work", tmp.resolve("w").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(2, count(markers, "x", "start"));
        assertTrue(r.err().contains("retrying"), r.err());
    }

    @Test
    void schedulerNeverExceedsDeclaredResourcesInAPipeline() throws Exception {
        Path markers = tmp.resolve("markers");
        StringBuilder y = new StringBuilder("pipeline: fan\ntasks:\n");
        for (int i = 0; i < 8; i++) {
            double cpu = i % 2 == 0 ? 1 : 0.5;
            y.append("  t").append(i).append(":\n    kind: command\n    run: [test-step, --name, t").append(i)
                    .append(", --markers, \"").append(markers).append("\", --sleep-ms, \"150\", --cpu, \"").append(cpu)
                    .append("\", --value, \"").append(i).append("\"]\n    resources: {cpu: ").append(cpu)
                    .append(", memory: 1g}\n");
        }
        PipelineSpec spec = PipelineSpecReader.parse(y.toString(), "fan.yaml");
        StepCommand.CPU_PEAK.set(0);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PipelineRunner.Report rep = new PipelineRunner(spec, new RunOptions(tmp.resolve("w"))
                .pool(Resources.parse("cpu=2,memory=2g", Resources.NONE)).progress(new PrintStream(err))).run();
        assertTrue(rep.ok(), err.toString());
        assertTrue(StepCommand.CPU_PEAK.get() <= 2000, "peak cpu " + StepCommand.CPU_PEAK.get() / 1000.0);
        assertTrue(StepCommand.CPU_PEAK.get() > 1000, "tasks should run in parallel, peak " + StepCommand.CPU_PEAK.get());
    }

    @Test
    void taskLargerThanThePoolFailsClearly() throws Exception {
        Path file = Pipelines.write(tmp, "p.yaml", """
                pipeline: big
                tasks:
                  huge:
                    kind: command
                    run: [test-step, --name, huge, --markers, "%s"]
                    resources: {cpu: 1, gpu: 1}
                """.formatted(tmp.resolve("m")));
        Pipelines.Run r = eimf("pipeline", "run", file.toString(), "--work", tmp.resolve("w").toString(),
                "--resources", "cpu=4,gpu=0");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("needs cpu=1,gpu=1") && r.err().contains("pool has only"), r.err());
    }

    @Test
    void unavailableOptionalTaskIsReportedAndDoesNotFailThePipeline() throws Exception {
        Path markers = tmp.resolve("m");
        Path file = Pipelines.write(tmp, "p.yaml", """
                pipeline: opt
                tasks:
                  ok:
                    kind: command
                    run: [test-step, --name, ok, --markers, "%1$s"]
                    out: --out
                  future:
                    kind: command
                    run: [no-such-command, --input, "${ok}"]
                    optional: true
                  after-future:
                    kind: command
                    run: [test-step, --name, af, --markers, "%1$s", --input, "${future}"]
                """.formatted(markers));
        Pipelines.Run r = eimf("pipeline", "run", file.toString(), "--work", tmp.resolve("w").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("'eimf no-such-command' is not available in this build"), r.err());
        assertTrue(r.out().contains("skipped"), r.out());
    }

    @Test
    void keysDependOnCodeInputsAndParameters() throws Exception {
        Path markers = tmp.resolve("m");
        Path input = Files.createDirectories(tmp.resolve("raw"));
        Files.writeString(input.resolve("f.txt"), "one");
        String yaml = """
                pipeline: keys
                params: {n: "1"}
                tasks:
                  a:
                    kind: command
                    run: [test-step, --name, a, --markers, "%s", --value, "${params.n}"]
                    inputs: ["%s"]
                """.formatted(markers, input);
        PipelineSpec spec = PipelineSpecReader.parse(yaml, "k.yaml");
        String k1 = new PipelineRunner(spec, new RunOptions(tmp.resolve("w"))).keys().get("a");
        String k2 = new PipelineRunner(spec, new RunOptions(tmp.resolve("w"))).keys().get("a");
        assertEquals(k1, k2, "keys are deterministic");
        String k3 = new PipelineRunner(spec, new RunOptions(tmp.resolve("w")).param("n", "2")).keys().get("a");
        assertNotEquals(k1, k3, "parameters change the key");
        Files.writeString(input.resolve("f.txt"), "two");
        String k4 = new PipelineRunner(spec, new RunOptions(tmp.resolve("w"))).keys().get("a");
        assertNotEquals(k1, k4, "the content of external inputs changes the key");
    }

    @Test
    void fileReferencesReadValuesAndPathsFromUpstreamOutputs() throws Exception {
        Path markers = tmp.resolve("m");
        Path file = Pipelines.write(tmp, "p.yaml", """
                pipeline: reads
                tasks:
                  a:
                    kind: command
                    run: [test-step, --name, a, --markers, "%1$s", --value, "40"]
                    out: --out
                  b:
                    kind: command
                    run: [test-step, --name, b, --markers, "%1$s", --value, "${read:a/value.txt}", --input, "${path:a/self.txt}"]
                    out: --out
                """.formatted(markers));
        // a writes value.txt; self.txt does not exist yet, so b fails with a clear message naming the file.
        Pipelines.Run r = eimf("pipeline", "run", file.toString(), "--work", tmp.resolve("w").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("${path:a/self.txt}: cannot read") && r.err().contains("did task a write it?"), r.err());
        Files.writeString(file, Files.readString(file).replace("${path:a/self.txt}", "${a}"));
        r = eimf("pipeline", "run", file.toString(), "--work", tmp.resolve("w").toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("80", Files.readString(finalOutput(tmp.resolve("w"), r.out(), "b").resolve("value.txt")).trim());
    }

    @Test
    void softDependencyRunsWithoutAFailedOptionalTaskUnderItsOwnKey() throws Exception {
        Path markers = tmp.resolve("m");
        String yaml = """
                pipeline: soft
                tasks:
                  base:
                    kind: command
                    run: [test-step, --name, base, --markers, "%1$s", --value, "1"]
                    out: --out
                  extra:
                    kind: command
                    run: [test-step, --name, extra, --markers, "%1$s", --value, "100", FAIL]
                    out: --out
                    optional: true
                  sum:
                    kind: command
                    run: [test-step, --name, sum, --markers, "%1$s", --value, "0", --input, "${base}", --input, "${opt:extra}"]
                    out: --out
                """.formatted(markers);
        Path file = Pipelines.write(tmp, "p.yaml", yaml.replace(", FAIL]", ", --fail]"));
        Path work = tmp.resolve("w");
        Pipelines.Run r = eimf("pipeline", "run", file.toString(), "--work", work.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("1", Files.readString(finalOutput(work, r.out(), "sum").resolve("value.txt")).trim());
        // Once the optional task works, the consumer runs again (a different key) and sees it.
        Files.writeString(file, yaml.replace(", FAIL]", "]"));
        r = eimf("pipeline", "run", file.toString(), "--work", work.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("101", Files.readString(finalOutput(work, r.out(), "sum").resolve("value.txt")).trim());
        assertEquals(2, count(markers, "sum", "done"));
        // A soft reference to a task that is not optional is refused.
        Files.writeString(file, yaml.replace("    optional: true\n", "").replace(", FAIL]", "]"));
        r = eimf("pipeline", "run", file.toString(), "--work", work.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("${opt:extra} is for optional tasks"), r.err());
    }

    @Test
    void optionsWhoseValueResolvesToNothingAreLeftOut() {
        java.util.List<String> template = java.util.List.of("x", "--a", "${params.a}", "--b", "${params.b}", "--c", "pre${params.b}",
                "--d", "${opt:t}");
        java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of("x", "--a", "1", "--b", "", "--c", "pre", "--d", ""));
        io.eimf.pipeline.run.PipelineRunner.dropEmptyOptions(template, argv);
        assertEquals(java.util.List.of("x", "--a", "1", "--c", "pre"), argv);
    }
}
