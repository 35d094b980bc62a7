package io.eimf.model.backbone;

import io.eimf.model.nn.Init;
import io.eimf.model.nn.Linear;
import io.eimf.model.nn.Ops;
import io.eimf.model.nn.Param;
import io.eimf.model.nn.ParamSet;
import io.eimf.model.nn.Rng;
import io.eimf.model.nn.StepThreads;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * ComiRec-SA (Cen et al., KDD 2020): K-head self-attentive pooling. Positions get a learned embedding added;
 * {@code A = softmax_t(W2 tanh(W1 (x_t + p_t) + b1) + b2)} per head over the unpadded positions, and interest k is
 * {@code sum_t A[k,t] x_t} (the item embeddings without the position term, as in the reference code).
 */
public final class ComiRecSA implements MultiInterestBackbone {
    public static final String NAME = "comirec-sa";
    private final int dim;
    private final int k;
    private final int maxLen;
    private final ParamSet params = new ParamSet();
    private final Param pos;
    private final Linear w1;
    private final Linear w2;
    private StepThreads threads = StepThreads.SINGLE;

    public ComiRecSA(int dim, int interests, int maxLen, Init init, DataType type, Rng rng) {
        this.dim = dim;
        this.k = interests;
        this.maxLen = maxLen;
        this.pos = params.add(new Param("sa.position", init.positions(type, rng, maxLen, dim), true));
        this.w1 = new Linear("sa.w1", dim, 4 * dim, true, init, type, rng, params);
        this.w2 = new Linear("sa.w2", 4 * dim, interests, true, init, type, rng, params);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int interests() {
        return k;
    }

    @Override
    public ParamSet params() {
        return params;
    }

    private record Cache(INDArray x, INDArray xa, INDArray hidden, INDArray att, INDArray interests, int b)
            implements Activations {}

    /*
     * Speed (docs/BENCHMARKS.md, train): the [B*L, 4d] hidden layer dominates. Its bias rides in the gemm as a
     * ones column of xa = [x + p, 1] against [W1; b1], so the forward needs no bias pass and the backward gets db1 as
     * the last row of xa^T dz instead of a column sum (4 ms on one core). The weights are doubled when stacked,
     * so the gemm yields 2z directly for tanh(z) = 2 sigmoid(2z) - 1; doubling is exact in floating point.
     */
    @Override
    public Activations forward(INDArray x, HistoryBatch batch) {
        int b = batch.size();
        int l = batch.maxLen();
        if (l != maxLen) throw new IllegalArgumentException("batch length " + l + " != model max length " + maxLen);
        long n = (long) b * l;
        // xa[:, :d] = x + p (the [L, d] position table broadcast over the batch), xa[:, d] = 1
        INDArray xa = Nd4j.createUninitialized(x.dataType(), b, l, dim + 1);
        Nd4j.exec(new BroadcastAddOp(x.reshape(b, l, dim), pos.value(),
                xa.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, dim)), 1, 2));
        xa.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(dim)).assign(1);
        xa = xa.reshape(n, dim + 1);
        INDArray w1a = Nd4j.createUninitialized(x.dataType(), dim + 1, 4L * dim);
        Nd4j.exec(new ScalarMultiplication(w1.weight().value(), null, w1a.get(NDArrayIndex.interval(0, dim), NDArrayIndex.all()), 2.0));
        Nd4j.exec(new ScalarMultiplication(w1.bias().value(), null, w1a.get(NDArrayIndex.interval(dim, dim + 1), NDArrayIndex.all()), 2.0));
        // the [B*L, 4d] hidden layer and the logits, row blocks (whole users) on the step threads
        INDArray hidden = Nd4j.createUninitialized(x.dataType(), n, 4L * dim);
        INDArray logits = Nd4j.createUninitialized(x.dataType(), n, k);
        int parts = threads.parts(b);
        INDArray[][] v = rowBlocks(b, l, parts, xa, hidden, logits);
        INDArray w2v = w2.weight().value();
        INDArray b2v = w2.bias().value();
        threads.run(parts, p -> {
            INDArray[] r = v[p];
            Nd4j.gemm(r[0], w1a, r[1], false, false, 1.0, 0.0);
            Ops.tanhFromDoubled(r[1]);                                            // [rows, 4d]
            Nd4j.gemm(r[1], w2v, r[2], false, false, 1.0, 0.0);
            r[2].addiRowVector(b2v);                                              // [rows, K]
        });
        // [B, L, K] -> [B, K, L] -> [B*K, L], then mask padding and softmax over time.
        INDArray lk = logits.reshape(b, l, k).permute(0, 2, 1).dup('c').reshape((long) b * k, l);
        lk.addi(batch.maskBias(lk.dataType(), k));
        INDArray att = Ops.softmax(lk, 1);                                        // [B*K, L]
        INDArray interests = Nd4j.matmul(att.reshape(b, k, l), x.reshape(b, l, dim)); // [B, K, d]
        return new Cache(x, xa, hidden, att, interests, b);
    }

    /**
     * Row views of [B*L, *] arrays cut into {@code parts} blocks of whole users, made on the calling thread so the
     * step threads only compute into them: result[p][i] is block p of arrays[i].
     */
    private static INDArray[][] rowBlocks(int b, int l, int parts, INDArray... arrays) {
        INDArray[][] v = new INDArray[parts][arrays.length];
        for (int p = 0; p < parts; p++) {
            long from = StepThreads.start(b, parts, p) * l;
            long to = StepThreads.start(b, parts, p + 1) * l;
            for (int i = 0; i < arrays.length; i++) v[p][i] = arrays[i].get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
        }
        return v;
    }

    @Override
    public void useThreads(StepThreads threads) {
        this.threads = threads == null ? StepThreads.SINGLE : threads;
    }

    @Override
    public INDArray backward(Activations act, INDArray dI) {
        Cache c = (Cache) act;
        int b = c.b;
        int l = maxLen;
        INDArray x3 = c.x.reshape(b, l, dim);
        INDArray att3 = c.att.reshape(b, k, l);
        // interests = att @ x: dAtt = dI @ x^T, dx = att^T @ dI
        INDArray dAtt = Nd4j.matmul(dI, x3, false, true, false).reshape((long) b * k, l);
        INDArray dx = Nd4j.matmul(att3, dI, true, false, false).reshape((long) b * l, dim);
        INDArray dLk = Ops.softmaxBackwardRows(c.att, dAtt);                      // masked positions get 0
        INDArray dLogits = dLk.reshape(b, k, l).permute(0, 2, 1).dup('c').reshape((long) b * l, k);
        // W2 backward, tanh' = 1 - h^2, [dW1; db1] = xa^T dz and dxp = dz W1^T on row blocks; the weight gradients
        // are sums over rows: one partial product per block, added in block order (transposes as BLAS flags)
        long n = (long) b * l;
        DataType type = dI.dataType();
        int parts = threads.parts(b);
        INDArray dz = Nd4j.createUninitialized(type, n, 4L * dim);
        INDArray tmp = Nd4j.createUninitialized(type, n, 4L * dim);
        INDArray dxp = Nd4j.createUninitialized(type, n, dim);
        INDArray[][] v = rowBlocks(b, l, parts, c.xa, c.hidden, dLogits, dz, tmp, dxp);
        INDArray dW2 = Nd4j.createUninitialized(type, parts, 4L * dim, k);
        INDArray dW1a = Nd4j.createUninitialized(type, parts, dim + 1, 4L * dim);
        INDArray[] dW2p = new INDArray[parts];
        INDArray[] dW1ap = new INDArray[parts];
        for (int p = 0; p < parts; p++) {
            dW2p[p] = dW2.get(NDArrayIndex.point(p), NDArrayIndex.all(), NDArrayIndex.all());
            dW1ap[p] = dW1a.get(NDArrayIndex.point(p), NDArrayIndex.all(), NDArrayIndex.all());
        }
        INDArray w2v = w2.weight().value();
        INDArray w1v = w1.weight().value();
        threads.run(parts, p -> {
            INDArray[] r = v[p]; // xa, hidden, dLogits, dz, tmp, dxp
            Nd4j.gemm(r[1], r[2], dW2p[p], true, false, 1.0, 0.0);                // hidden^T dLogits
            Nd4j.gemm(r[2], w2v, r[3], false, true, 1.0, 0.0);                   // dHidden = dLogits W2^T
            Nd4j.exec(new MulOp(r[1], r[1], r[4]));
            r[4].rsubi(1);
            r[3].muli(r[4]);                                                      // dz
            Nd4j.gemm(r[0], r[3], dW1ap[p], true, false, 1.0, 0.0);              // [d+1, 4d]
            Nd4j.gemm(r[3], w1v, r[5], false, true, 1.0, 0.0);                   // [rows, d]
        });
        INDArray sumW2 = dW2p[0];
        INDArray sumW1a = dW1ap[0];
        for (int p = 1; p < parts; p++) {
            sumW2.addi(dW2p[p]);
            sumW1a.addi(dW1ap[p]);
        }
        w2.weight().grad().addi(sumW2);
        w2.bias().grad().addi(dLogits.sum(true, 0));
        w1.weight().grad().addi(sumW1a.get(NDArrayIndex.interval(0, dim), NDArrayIndex.all()));
        w1.bias().grad().addi(sumW1a.get(NDArrayIndex.interval(dim, dim + 1), NDArrayIndex.all()));
        pos.grad().addi(dxp.reshape(b, (long) l * dim).sum(true, 0).reshape(l, dim));
        return dx.addi(dxp);
    }
}
