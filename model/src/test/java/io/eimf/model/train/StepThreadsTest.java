package io.eimf.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.synth.SyntheticData;
import io.eimf.model.backbone.Backbones;
import io.eimf.model.ibim.IbimConfig;
import io.eimf.model.ibim.IbimModel;
import io.eimf.model.nn.Adam;
import io.eimf.model.nn.Ops;
import io.eimf.model.nn.Param;
import io.eimf.model.nn.Rng;
import io.eimf.model.nn.StepThreads;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training steps split over two Java threads (SA's hidden-layer rows, DR's users and positions, Adam's element
 * ranges) give the one-thread gradients up to float rounding, and the same bits on every run: the parts are fixed by
 * index and partial sums are added in part order.
 */
class StepThreadsTest {
    @TempDir
    Path tmp;

    @Test
    void twoThreadGradientsMatchOneThread() throws Exception {
        var ds = SynthFixture.write(tmp.resolve("g"), SyntheticData.Config.defaults().withUsers(150).withCatalogue(5, 12).withLengths(10, 24));
        TrainingData data = TrainingData.of(ds);
        for (String name : Backbones.NAMES) {
            IbimConfig cfg = new IbimConfig(name, 32, 4, 20, ds.numItems(), 0);
            List<float[]> one = gradients(cfg, data, 1);
            List<float[]> two = gradients(cfg, data, 2);
            double global = 0;
            for (float[] g : one) for (float v : g) global = Math.max(global, Math.abs(v));
            assertTrue(global > 0);
            for (int i = 0; i < one.size(); i++) {
                float[] a = one.get(i);
                float[] b = two.get(i);
                double maxDiff = 0;
                double scale = 1e-3 * global; // parameters whose gradient is rounding noise (SA's b2) get a floor
                for (int j = 0; j < a.length; j++) {
                    maxDiff = Math.max(maxDiff, Math.abs(a[j] - b[j]));
                    scale = Math.max(scale, Math.abs(a[j]));
                }
                assertTrue(maxDiff <= 1e-4 * scale, name + " gradient " + i + ": one vs two threads differ by " + maxDiff
                        + " (scale " + scale + ")");
            }
        }
    }

    /** One step's gradients of every parameter, computed inside a workspace as in training. */
    private static List<float[]> gradients(IbimConfig cfg, TrainingData data, int threads) {
        IbimModel model = new IbimModel(cfg, DataType.FLOAT, 5);
        Rng rng = new Rng(8);
        TrainingData.Batch batch = data.sample(rng, 32, cfg.maxLen(), cfg.alignment(), TrainingData.PER_USER);
        int[] negs = NegativeSampler.uniform(cfg.numItems()).sample(rng, 160);
        try (Trainer t = new Trainer(model, data, TrainOptions.defaults().withBatch(32, 3e-3, 5).withStepThreads(threads));
             var ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace("STEP_THREADS_TEST")) {
            t.computeGradients(batch, negs, new HashMap<>());
        }
        List<float[]> out = new ArrayList<>();
        for (Param p : model.params().all()) if (p.trainable()) out.add(p.grad().dup().data().asFloat());
        return out;
    }

    @Test
    void twoThreadRunsRepeatExactly() throws Exception {
        var ds = SynthFixture.write(tmp.resolve("d"), SyntheticData.Config.defaults().withUsers(150).withCatalogue(5, 12).withLengths(10, 24));
        TrainingData data = TrainingData.of(ds);
        for (String name : Backbones.NAMES) {
            IbimConfig cfg = new IbimConfig(name, 32, 4, 20, ds.numItems(), 0); // DR's maps are cut in Adam
            List<float[]> two = run(cfg, data, 2);
            List<float[]> twoAgain = run(cfg, data, 2);
            for (int i = 0; i < two.size(); i++) {
                assertArrayEquals(two.get(i), twoAgain.get(i), name + " param " + i + ": two-thread runs differ");
            }
        }
    }

    /** Six steps in a step workspace (the default); returns every parameter's values. */
    private static List<float[]> run(IbimConfig cfg, TrainingData data, int threads) {
        IbimModel model = new IbimModel(cfg, DataType.FLOAT, 5);
        TrainOptions o = TrainOptions.defaults().withBatch(32, 3e-3, 5).withSeed(5).withStepThreads(threads);
        assertTrue(o.workspace());
        try (Trainer t = new Trainer(model, data, o)) {
            for (int i = 0; i < 6; i++) t.trainStep();
        }
        List<float[]> out = new ArrayList<>();
        for (Param p : model.params().all()) out.add(p.value().dup().data().asFloat());
        return out;
    }

    @Test
    void adamCutAcrossThreadsGivesTheSameBits() {
        float[][] out = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            Param p = new Param("w", Ops.normal(DataType.FLOAT, new Rng(1), 1.0, 300, 250), true);
            Adam adam = new Adam(1e-2);
            try (StepThreads t = new StepThreads(threads)) {
                for (int s = 0; s < 3; s++) {
                    p.grad().assign(Ops.normal(DataType.FLOAT, new Rng(10 + s), 1.0, 300, 250));
                    adam.step(List.of(p), t);
                }
            }
            out[threads - 1] = p.value().dup().data().asFloat();
        }
        assertArrayEquals(out[0], out[1]);
    }

    @Test
    void partsCoverEveryUnitOnceAndFailuresReachTheCaller() {
        try (StepThreads t = new StepThreads(2)) {
            assertEquals(2, t.parts(128));
            assertEquals(1, t.parts(1));
            AtomicInteger sum = new AtomicInteger();
            t.run(2, p -> {
                for (long u = StepThreads.start(7, 2, p); u < StepThreads.start(7, 2, p + 1); u++) sum.addAndGet(1 << u);
            });
            assertEquals(127, sum.get());
            // more parts than threads: each runs exactly once, on whichever thread claims it first
            java.util.concurrent.atomic.AtomicIntegerArray runs = new java.util.concurrent.atomic.AtomicIntegerArray(9);
            for (int i = 0; i < 50; i++) t.run(9, runs::incrementAndGet);
            for (int p = 0; p < 9; p++) assertEquals(50, runs.get(p));
            RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> t.run(2, p -> {
                        if (p == 1) throw new IllegalStateException("helper failed");
                    }));
            assertEquals("helper failed", e.getMessage());
        }
    }
}
