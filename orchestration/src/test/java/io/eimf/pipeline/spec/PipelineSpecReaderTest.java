package io.eimf.pipeline.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.cli.EimfException;
import io.eimf.pipeline.dag.PipelineGraph;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineSpecReaderTest {
    @Test
    void typedKindsBuildTheirCommandLine() throws Exception {
        PipelineSpec s = PipelineSpecReader.parse("""
                pipeline: p
                params: {epochs: "3"}
                tasks:
                  prep:
                    kind: prepare
                    args: {input: /data/raw, format: ml-latest, skip-bad-lines: true, dry: false}
                    resources: {cpu: 2, memory: 3g}
                  train:
                    kind: train
                    args: {data: "${prep}", backbone: comirec-sa, epochs: "${params.epochs}"}
                    isolation: process
                  reg:
                    kind: register
                    args: {model: "${train}", tag: [a=1, b=2]}
                """, "p.yaml");
        TaskSpec prep = s.task("prep");
        assertEquals(List.of("prepare", "--input", "/data/raw", "--format", "ml-latest", "--skip-bad-lines"), prep.command());
        assertEquals("--out", prep.outOption());
        assertTrue(prep.flink());
        assertEquals(2.0, prep.resources().cpu());
        assertEquals(3L << 30, prep.resources().memory());
        assertEquals(TaskSpec.Isolation.PROCESS, s.task("train").isolation());
        assertEquals(List.of("register", "--model", "${train}", "--tag", "a=1", "--tag", "b=2"), s.task("reg").command());
        assertEquals(null, s.task("reg").outOption());
        PipelineGraph g = PipelineGraph.of(s);
        assertEquals(List.of("prep", "train", "reg"), g.order());
        assertEquals(List.of("prep"), g.upstream("train"));
    }

    private static String error(String yaml) {
        return assertThrows(EimfException.class, () -> PipelineGraph.of(PipelineSpecReader.parse(yaml, "bad.yaml")))
                .getMessage();
    }

    @Test
    void errorsNameFileLineAndField() {
        String e = error("""
                pipeline: p
                tasks:
                  a:
                    kind: command
                    run: [data, synth]
                  b:
                    kind: trian
                """);
        assertEquals("bad.yaml:7: tasks.b.kind: unknown kind 'trian' (one of command, cluster, evaluate, extract, prepare, promote, register, train)", e);
        assertTrue(error("pipeline: p\ntasks:\n  a:\n    kind: command\n    run: [x]\n    resources: {cpu: lots}\n")
                .startsWith("bad.yaml:6: tasks.a.resources: resources: cpu must be a non-negative number"));
        assertTrue(error("pipeline: p\ntasks:\n  a:\n    kind: train\n    args: {data: x}\n")
                .contains("tasks.a.args: a train task needs args.backbone"));
        assertTrue(error("pipeline: p\ntasks:\n  a: {kind: command, run: [x, \"${b}\"]}\n  b: {kind: command, run: [y, \"${a}\"]}\n")
                .contains("dependency cycle: a -> b -> a"));
        assertTrue(error("pipeline: p\ntasks:\n  a: {kind: command, run: [x, \"${params.nope}\"]}\n")
                .contains("${params.nope} but the pipeline declares no such parameter"));
        assertTrue(error("pipeline: p\ntasks:\n  a: {kind: command, run: [x], colour: red}\n")
                .startsWith("bad.yaml:3: tasks.a.colour: unknown field"));
        assertTrue(error("pipeline: p\ntasks: [1, 2\n").startsWith("bad.yaml:"));
    }

    @Test
    void resourcesParse() {
        Resources r = Resources.parse("cpu=1.5,memory=512m", Resources.DEFAULT_TASK);
        assertEquals(1.5, r.cpu());
        assertEquals(512L << 20, r.memory());
        assertEquals("cpu=1.5,gpu=0,memory=512m", r.toString());
        assertTrue(new Resources(2, 0, 1L << 30).fits(r));
        assertTrue(!new Resources(1, 0, 1L << 30).fits(r));
    }
}
