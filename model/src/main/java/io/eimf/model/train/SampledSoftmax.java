package io.eimf.model.train;

import io.eimf.model.nn.Ops;
import io.eimf.model.nn.StepThreads;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Sampled softmax with negatives shared across the batch: for user vector u_b, target t_b and negatives n_1..n_S,
 * {@code loss_b = -log softmax([u.e_t - c_t, u.e_n1 - c_n1, ...])[0]} with {@code c = log(S Q)} for a non-uniform
 * sampler (0 for uniform, where it is a constant). With {@code removeAccidentalHits}, negatives equal to the target
 * are masked out as TensorFlow's sampled_softmax_loss does. The loss is the batch mean.
 */
public final class SampledSoftmax {
    private final boolean removeAccidentalHits;
    private StepThreads threads = StepThreads.SINGLE;

    /** Runs the two backward gemms on these step threads (null: the calling thread). */
    public SampledSoftmax useThreads(StepThreads t) {
        this.threads = t == null ? StepThreads.SINGLE : t;
        return this;
    }

    public SampledSoftmax(boolean removeAccidentalHits) {
        this.removeAccidentalHits = removeAccidentalHits;
    }

    /** Loss value and gradients w.r.t. the user vectors, target embeddings and negative embeddings. */
    public record Result(double loss, INDArray dUser, INDArray dTarget, INDArray dNegative) {}

    /**
     * @param u user vectors [B, d]
     * @param et target embeddings [B, d]
     * @param en negative embeddings [S, d]
     * @param logQ log sampling probability by item id, or null (uniform)
     */
    public Result compute(INDArray u, INDArray et, INDArray en, int[] targets, int[] negatives, double[] logQ) {
        int b = (int) u.size(0);
        int s = negatives.length;
        INDArray pos = u.mul(et).sum(true, 1);                        // [B, 1]
        INDArray neg = Nd4j.gemm(u, en, false, true);                 // [B, S]; transpose as a BLAS flag
        INDArray logits = Nd4j.hstack(pos, neg);                      // [B, 1+S]
        if (logQ != null) {
            float[] bias = new float[s + 1];
            for (int j = 0; j < s; j++) bias[1 + j] = (float) -(Math.log(s) + logQ[negatives[j]]);
            logits.addiRowVector(Ops.fromFloats(u.dataType(), bias, 1, s + 1));
            float[] tb = new float[b];
            for (int i = 0; i < b; i++) tb[i] = (float) -(Math.log(s) + logQ[targets[i]]);
            logits.getColumn(0, true).addi(Ops.fromFloats(u.dataType(), tb, b, 1));
        }
        if (removeAccidentalHits) {
            // about B*S/numItems hits: write them directly instead of building a [B, S] mask
            java.util.Map<Integer, java.util.List<Integer>> where = new java.util.HashMap<>();
            for (int j = 0; j < s; j++) where.computeIfAbsent(negatives[j], x -> new java.util.ArrayList<>()).add(j);
            for (int i = 0; i < b; i++) {
                java.util.List<Integer> js = where.get(targets[i]);
                if (js != null) for (int j : js) logits.putScalar(i, 1 + j, Ops.MASKED);
            }
        }
        return finish(logits, u, et, en, b, s);
    }

    private Result finish(INDArray logits, INDArray u, INDArray et, INDArray en, int b, int s) {
        INDArray p = Ops.softmax(logits, 1);                          // [B, 1+S]
        INDArray p0 = p.getColumn(0, true);
        double loss = -Transforms.log(p0.add(1e-30), false).sumNumber().doubleValue() / b;
        // d loss / d logits = (p - onehot(0)) / B
        INDArray d = p.divi(b);
        INDArray dPos = d.getColumn(0, true).sub(1.0 / b);            // [B, 1]
        // one contiguous copy of the [B, S] block, then both gemms take it with BLAS transpose flags
        INDArray dNeg = d.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(1, s + 1)).dup('c');  // [B, S]
        // the two backward gemms are independent: one per step thread where there are two
        INDArray dUNeg = Nd4j.createUninitialized(u.dataType(), b, u.size(1));
        INDArray dEn = Nd4j.createUninitialized(u.dataType(), s, u.size(1));
        threads.run(threads.parts(2), q -> {
            if (q == 0) Nd4j.gemm(dNeg, en, dUNeg, false, false, 1.0, 0.0);
            if (q == 1 || threads.parts(2) == 1) Nd4j.gemm(dNeg, u, dEn, true, false, 1.0, 0.0);
        });
        INDArray dU = et.mulColumnVector(dPos).addi(dUNeg);
        INDArray dEt = u.mulColumnVector(dPos);
        return new Result(loss, dU, dEt, dEn);
    }
}
