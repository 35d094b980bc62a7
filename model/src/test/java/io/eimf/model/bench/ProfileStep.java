package io.eimf.model.bench;

import io.eimf.model.backbone.HistoryBatch;
import io.eimf.model.nn.*;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Scratch profiler (not a test): CPU ms of the step's parts. */
public class ProfileStep {
    static long cpu() { return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime(); }
    interface R { void run(); }
    static void time(String what, R r) {
        for (int i = 0; i < 5; i++) r.run();
        long c = cpu(); long w = System.nanoTime();
        int n = 20;
        for (int i = 0; i < n; i++) r.run();
        System.out.printf("%-30s cpu %.2f ms  wall %.2f ms%n", what, (cpu() - c) / 1e6 / n, (System.nanoTime() - w) / 1e6 / n);
    }
    public static void main(String[] a) {
        if (a.length > 0) Backend.setThreads(Integer.parseInt(a[0]));
        System.out.println(Backend.describe());
        Rng rng = new Rng(1);
        INDArray table = Ops.glorotUniform(DataType.FLOAT, rng, 3001, 64, 3001, 64);
        int[] ids = new int[6400]; for (int i = 0; i < ids.length; i++) ids[i] = 1 + rng.nextInt(3000);
        INDArray x = Ops.gatherRows(table, ids);
        INDArray w1 = Nd4j.rand(DataType.FLOAT, 64, 256);
        time("pullRows 6400x64", () -> Ops.gatherRows(table, ids));
        time("mmul 6400x64 @ 64x256", () -> x.mmul(w1));
        INDArray h = x.mmul(w1);
        time("tanh via sigmoid 6400x256", () -> Ops.tanhInPlace(h.dup()));
        time("dup 6400x256", () -> h.dup());
        time("h^T mmul 6400x256 -> 64x256", () -> x.transpose().mmul(h));
        INDArray grad = Nd4j.zeros(DataType.FLOAT, 3001, 64);
        time("scatterAdd 6400 rows", () -> Ops.scatterAddRows(grad, ids, x));
        INDArray lk = Nd4j.rand(DataType.FLOAT, 512, 50);
        time("softmax 512x50", () -> Ops.softmax(lk, 1));
        time("permute dup 128x50x4", () -> lk.reshape(128, 4, 50).permute(0, 2, 1).dup('c'));
        INDArray att = Nd4j.rand(DataType.FLOAT, 128, 4, 50);
        INDArray x3 = x.reshape(128, 50, 64);
        time("batched matmul att@x", () -> Nd4j.matmul(att, x3));
        ParamSet ps = new ParamSet(); ps.add(new Param("t", table.dup(), true));
        Adam adam = new Adam(1e-3);
        time("adam dense 3001x64", () -> adam.step(ps.all()));
        INDArray wdr = Nd4j.rand(DataType.FLOAT, 50, 64, 256);
        INDArray xt = x3.permute(1, 0, 2).dup('c');
        time("DR batched 50x[128x64 @ 64x256]", () -> Nd4j.matmul(xt, wdr));
        INDArray u = Nd4j.rand(DataType.FLOAT, 128, 64); INDArray en = Nd4j.rand(DataType.FLOAT, 1280, 64);
        time("u @ en^T 128x1280", () -> u.mmul(en.transpose()));
        HistoryBatch hb = HistoryBatch.of(new int[][]{ids}, 50);
        time("maskBias", () -> hb.maskBias(DataType.FLOAT, 4));
    }
}
