package io.eimf.model.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.impl.scatter.ScatterUpdate;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The few tensor operations the explicit forward/backward passes share. Everything here allocates in the current
 * workspace (if any) and keeps to large 2-D/3-D ops, because per-call overhead, not arithmetic, dominates at these
 * sizes.
 */
public final class Ops {
    /** Added to masked logits: exp underflows to exactly 0 in float and double. */
    public static final double MASKED = -1e9;
    private static final double SQUASH_EPS = 1e-9;

    private Ops() {}

    /** tanh(x) computed in place as 2*sigmoid(2x)-1 (ND4J's tanh kernel is several times slower here). */
    public static INDArray tanhInPlace(INDArray x) {
        return Transforms.sigmoid(x.muli(2), false).muli(2).subi(1);
    }

    /** Softmax along {@code dim} into a new array. */
    public static INDArray softmax(INDArray x, int dim) {
        INDArray out = Nd4j.createUninitialized(x.dataType(), x.shape());
        Nd4j.exec((CustomOp) new SoftMax(x, out, dim));
        return out;
    }

    /** Gradient of a row softmax: {@code y * (dy - sum(dy*y))} over the last axis of 2-D arrays. */
    public static INDArray softmaxBackwardRows(INDArray y, INDArray dy) {
        INDArray dot = dy.mul(y).sum(true, 1);
        return dy.subColumnVector(dot).muli(y);
    }

    /** Capsule squash on rows: {@code v = z * |z|^2/(1+|z|^2)/sqrt(|z|^2+eps)}; returns {v, scale}. */
    public static INDArray[] squashRows(INDArray z) {
        INDArray n = z.mul(z).sum(true, 1);
        INDArray s = n.div(n.add(1)).divi(Transforms.sqrt(n.add(SQUASH_EPS), false));
        return new INDArray[] {z.mulColumnVector(s), s, n};
    }

    /**
     * Gradient of {@link #squashRows}: {@code dz = s*dv + 2*z*(z.dv)*s'(n)} with
     * {@code s'(n) = s*(1/n - 1/(1+n) - 1/(2(n+eps)))}, written without the 1/n so n=0 is safe.
     */
    public static INDArray squashBackwardRows(INDArray z, INDArray s, INDArray n, INDArray dv) {
        // s'(n) = 1/((1+n) sqrt(n+eps)) - n/((1+n)^2 sqrt(n+eps)) - n/(2 (1+n) (n+eps)^1.5)
        INDArray onePlus = n.add(1);
        INDArray sq = Transforms.sqrt(n.add(SQUASH_EPS), false);
        INDArray ds = onePlus.rdiv(1).divi(sq)
                .subi(n.div(onePlus.mul(onePlus)).divi(sq))
                .subi(n.div(onePlus.mul(2)).divi(sq.mul(n.add(SQUASH_EPS))));
        INDArray zdv = z.mul(dv).sum(true, 1);
        return dv.mulColumnVector(s).addi(z.mulColumnVector(zdv.muli(ds).muli(2)));
    }

    /** Adds {@code rows[i]} to {@code target[ids[i]]}, correct when ids repeat (unlike the ScatterAdd op). */
    public static void scatterAddRows(INDArray target, int[] ids, INDArray rows) {
        if (ids.length == 0) return;
        INDArray idx = Nd4j.createFromArray(ids);
        Nd4j.scatterUpdate(ScatterUpdate.UpdateOp.ADD, target, idx, rows, 1);
    }

    /** Rows {@code ids} of a 2-D table as a new [ids.length, cols] array. */
    public static INDArray gatherRows(INDArray table, int[] ids) {
        return Nd4j.pullRows(table, 1, ids);
    }

    /** A [rows, cols] array of the given type from a float buffer in row-major order. */
    public static INDArray fromFloats(DataType type, float[] data, long... shape) {
        INDArray a = Nd4j.createFromArray(data).reshape('c', shape);
        return type == DataType.FLOAT ? a : a.castTo(type);
    }

    /** Glorot/Xavier uniform initialisation (TensorFlow's default for get_variable and dense layers). */
    public static INDArray glorotUniform(DataType type, Rng rng, long fanIn, long fanOut, long... shape) {
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        return fill(type, shape, () -> (rng.nextDouble() * 2 - 1) * limit);
    }

    /** Normal(0, std) initialisation. */
    public static INDArray normal(DataType type, Rng rng, double std, long... shape) {
        return fill(type, shape, () -> rng.nextGaussian() * std);
    }

    private static INDArray fill(DataType type, long[] shape, java.util.function.DoubleSupplier f) {
        long n = 1;
        for (long s : shape) n *= s;
        double[] d = new double[Math.toIntExact(n)];
        for (int i = 0; i < d.length; i++) d[i] = f.getAsDouble();
        try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return Nd4j.createFromArray(d).reshape('c', shape).castTo(type);
        }
    }
}
