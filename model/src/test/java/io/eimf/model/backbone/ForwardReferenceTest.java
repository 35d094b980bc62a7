package io.eimf.model.backbone;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.model.nn.Init;
import io.eimf.model.nn.Ops;
import io.eimf.model.nn.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The fused SA and host-loop DR forward passes against the straightforward ND4J formulation they replaced, in
 * float at the benchmark's width (the gradient checks only show that backward matches forward).
 */
class ForwardReferenceTest {
    static final int B = 7;
    static final int L = 9;
    static final int D = 64;
    static final int K = 4;
    static final int[][] HISTORIES = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {2, 3}, {7}, {1, 1, 1, 1},
            {5, 4, 3, 2, 1, 9, 8}, {3, 3}, {9, 8, 7, 6, 5, 4, 3, 2, 1}};
    static final HistoryBatch BATCH = HistoryBatch.of(HISTORIES, L, HistoryAlignment.LEFT);

    static void assertClose(String what, INDArray expected, INDArray actual) {
        double err = expected.sub(actual).norm2Number().doubleValue();
        double scale = expected.norm2Number().doubleValue();
        assertTrue(err <= 1e-5 * scale, what + ": relative error " + err / scale);
    }

    @Test
    void selfAttentionMatchesReference() {
        Rng rng = new Rng(5);
        ComiRecSA sa = new ComiRecSA(D, K, L, Init.GLOROT, DataType.FLOAT, rng);
        // non-zero biases so that the folded bias column is exercised
        sa.params().get("sa.w1.b").value().assign(Ops.normal(DataType.FLOAT, rng, 0.3, 1, 4 * D));
        sa.params().get("sa.w2.b").value().assign(Ops.normal(DataType.FLOAT, rng, 0.3, 1, K));
        INDArray x = Ops.normal(DataType.FLOAT, rng, 0.5, (long) B * L, D);
        INDArray xp = x.reshape(B, (long) L * D).addRowVector(sa.params().get("sa.position").value().reshape(1, (long) L * D))
                .reshape((long) B * L, D);
        INDArray hidden = Transforms.tanh(xp.mmul(sa.params().get("sa.w1.W").value())
                .addiRowVector(sa.params().get("sa.w1.b").value()), false);
        INDArray logits = hidden.mmul(sa.params().get("sa.w2.W").value()).addiRowVector(sa.params().get("sa.w2.b").value());
        INDArray lk = logits.reshape(B, L, K).permute(0, 2, 1).dup('c').reshape((long) B * K, L);
        lk.addi(BATCH.maskBias(DataType.FLOAT, K));
        INDArray att = Ops.softmax(lk, 1);
        INDArray expected = Nd4j.matmul(att.reshape(B, K, L), x.reshape(B, L, D));
        assertClose("SA interests", expected, sa.forward(x, BATCH).interests());
    }

    @ParameterizedTest
    @EnumSource(HistoryAlignment.class)
    void dynamicRoutingMatchesReference(HistoryAlignment alignment) {
        HistoryBatch batch = HistoryBatch.of(HISTORIES, L, alignment);
        Rng rng = new Rng(6);
        ComiRecDR dr = new ComiRecDR(D, K, L, Init.GLOROT, DataType.FLOAT, rng);
        INDArray x = Ops.normal(DataType.FLOAT, rng, 0.1, (long) B * L, D);
        INDArray xt = x.reshape(B, L, D).permute(1, 0, 2).dup('c');
        INDArray hat = Nd4j.matmul(xt, dr.params().get("dr.bilinear").value())
                .reshape(L, B, K, D).permute(1, 2, 0, 3).dup('c').reshape((long) B * K, L, D);
        INDArray mask = batch.mask(DataType.FLOAT, K).reshape(B, K, L);
        INDArray logits = Nd4j.zeros(DataType.FLOAT, B, K, L);
        INDArray v = null;
        for (int it = 0; it < ComiRecDR.ITERATIONS; it++) {
            INDArray weight = Ops.softmax(logits, 1).muli(mask);
            INDArray z = Nd4j.matmul(weight.reshape((long) B * K, 1, L), hat).reshape((long) B * K, D);
            v = Ops.squashRows(z)[0];
            logits.addi(Nd4j.matmul(hat, v.reshape((long) B * K, D, 1)).reshape(B, K, L));
        }
        assertClose("DR interests", v.reshape(B, K, D), dr.forward(x, batch).interests());
    }

    @Test
    void dynamicRoutingFloatBackwardMatchesDouble() {
        // the gradient checks run in double; the float path of the backward has its own writer
        INDArray[] dxs = new INDArray[2];
        INDArray[] dws = new INDArray[2];
        DataType[] types = {DataType.FLOAT, DataType.DOUBLE};
        for (int i = 0; i < 2; i++) {
            ComiRecDR dr = new ComiRecDR(D, K, L, Init.GLOROT, types[i], new Rng(8));
            Rng rng = new Rng(9);
            INDArray x = Ops.normal(types[i], rng, 0.1, (long) B * L, D);
            INDArray g = Ops.normal(types[i], rng, 1, B, K, D);
            dxs[i] = dr.backward(dr.forward(x, BATCH), g).castTo(DataType.DOUBLE);
            dws[i] = dr.params().get("dr.bilinear").grad().castTo(DataType.DOUBLE);
        }
        double dxErr = dxs[0].sub(dxs[1]).norm2Number().doubleValue() / dxs[1].norm2Number().doubleValue();
        double dwErr = dws[0].sub(dws[1]).norm2Number().doubleValue() / dws[1].norm2Number().doubleValue();
        assertTrue(dxErr < 1e-4 && dwErr < 1e-4, "float vs double: dx " + dxErr + ", dW " + dwErr);
    }
}
