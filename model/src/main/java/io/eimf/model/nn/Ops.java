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
    /** The epsilon under the square root of the capsule squash. */
    public static final double SQUASH_EPS = 1e-9;

    private Ops() {}

    /** tanh(x) computed in place as 2*sigmoid(2x)-1 (ND4J's tanh kernel is several times slower here). */
    public static INDArray tanhInPlace(INDArray x) {
        return Transforms.sigmoid(x.muli(2), false).muli(2).subi(1);
    }

    /**
     * tanh(z) in place from {@code 2z}: {@code 2*sigmoid(2z)-1}, for callers that fold the doubling into a preceding
     * gemm (one pass fewer than {@link #tanhInPlace}).
     */
    public static INDArray tanhFromDoubled(INDArray twoZ) {
        return Transforms.sigmoid(twoZ, false).muli(2).subi(1);
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

    /**
     * Adds {@code rows[i]} to {@code target[ids[i]]} in order, correct when ids repeat (unlike the ScatterAdd op). On
     * the CPU backend a plain loop over the host buffers does it (libnd4j's scatter_upd took ~5 ms for the ~7,800
     * rows of one training step); other backends and unusual layouts use {@code Nd4j.scatterUpdate(ADD)}.
     */
    public static void scatterAddRows(INDArray target, int[] ids, INDArray rows) {
        if (ids.length == 0) return;
        if (rows.rank() != 2 || rows.size(0) != ids.length || target.rank() != 2 || rows.size(1) != target.size(1)) {
            throw new IllegalArgumentException("scatterAddRows: " + ids.length + " ids, rows " + java.util.Arrays.toString(rows.shape())
                    + ", target " + java.util.Arrays.toString(target.shape()));
        }
        if (HOST_MEMORY && plainC(target) && rows.dataType() == target.dataType()
                && (target.dataType() == DataType.FLOAT || target.dataType() == DataType.DOUBLE)) {
            INDArray src = plainC(rows) ? rows : rows.dup('c');
            int cols = (int) target.size(1);
            long nRows = target.size(0);
            for (int id : ids) if (id < 0 || id >= nRows) throw new IndexOutOfBoundsException("row " + id + " of " + nRows);
            // few rows touched in a big table: row by row; otherwise the whole table through one array
            boolean whole = nRows <= 4L * ids.length;
            if (target.dataType() == DataType.FLOAT) {
                float[] in = scratch(1, ids.length * cols);
                src.data().asNioFloat().get(0, in, 0, ids.length * cols);
                java.nio.FloatBuffer out = target.data().asNioFloat();
                if (whole) {
                    int size = (int) nRows * cols;
                    float[] t = scratch(2, size);
                    out.get(0, t, 0, size);
                    for (int i = 0; i < ids.length; i++) {
                        for (int j = 0, o = i * cols, at = ids[i] * cols; j < cols; j++) t[at + j] += in[o + j];
                    }
                    out.put(0, t, 0, size);
                } else {
                    float[] row = new float[cols];
                    for (int i = 0; i < ids.length; i++) {
                        int at = ids[i] * cols;
                        out.get(at, row);
                        for (int j = 0, o = i * cols; j < cols; j++) row[j] += in[o + j];
                        out.put(at, row);
                    }
                }
            } else {
                double[] in = new double[ids.length * cols];
                src.data().asNioDouble().get(in);
                java.nio.DoubleBuffer out = target.data().asNioDouble();
                double[] row = new double[cols];
                for (int i = 0; i < ids.length; i++) {
                    int at = ids[i] * cols;
                    out.get(at, row);
                    for (int j = 0, o = i * cols; j < cols; j++) row[j] += in[o + j];
                    out.put(at, row);
                }
            }
            return;
        }
        INDArray idx = Nd4j.createFromArray(ids);
        Nd4j.scatterUpdate(ScatterUpdate.UpdateOp.ADD, target, idx, rows, 1);
    }

    /**
     * The elements of {@code a} in row-major order as doubles: a bulk copy out of the host buffer on nd4j-native
     * (for loops that ND4J runs as hundreds of tiny ops, such as capsule routing).
     */
    public static double[] toHostDoubles(INDArray a) {
        INDArray c = plainC(a) ? a : a.dup('c');
        int n = Math.toIntExact(c.length());
        double[] out = new double[n];
        if (HOST_MEMORY && c.dataType() == DataType.FLOAT && plainC(c)) {
            float[] f = new float[n];
            c.data().asNioFloat().get(f);
            for (int i = 0; i < n; i++) out[i] = f[i];
        } else if (HOST_MEMORY && c.dataType() == DataType.DOUBLE && plainC(c)) {
            c.data().asNioDouble().get(out);
        } else {
            return c.castTo(DataType.DOUBLE).data().asDouble();
        }
        return out;
    }

    /** A new array of {@code type} and {@code shape} (in the current workspace) holding {@code data} in row-major order. */
    public static INDArray fromHostDoubles(double[] data, DataType type, long... shape) {
        if (HOST_MEMORY && (type == DataType.FLOAT || type == DataType.DOUBLE)) {
            INDArray out = Nd4j.createUninitialized(type, shape);
            if (plainC(out)) {
                if (type == DataType.DOUBLE) {
                    out.data().asNioDouble().put(0, data);
                } else {
                    float[] f = new float[data.length];
                    for (int i = 0; i < f.length; i++) f[i] = (float) data[i];
                    out.data().asNioFloat().put(0, f);
                }
                return out;
            }
        }
        INDArray d = Nd4j.createFromArray(data).reshape('c', shape);
        return type == DataType.DOUBLE ? d : d.castTo(type);
    }

    /**
     * Writes {@code data} into the row-major elements {@code [at, at + data.length)} of a plain row-major array
     * (for example one created by {@code Nd4j.createUninitialized}), narrowing to float where needed.
     */
    public static void putHostDoubles(INDArray target, long at, double[] data) {
        if (at < 0 || at + data.length > target.length()) throw new IndexOutOfBoundsException(at + "+" + data.length);
        if (HOST_MEMORY && plainC(target) && target.dataType() == DataType.FLOAT) {
            float[] f = scratch(3, data.length);
            for (int i = 0; i < data.length; i++) f[i] = (float) data[i];
            target.data().asNioFloat().put(Math.toIntExact(at), f, 0, data.length);
        } else if (HOST_MEMORY && plainC(target) && target.dataType() == DataType.DOUBLE) {
            target.data().asNioDouble().put(Math.toIntExact(at), data);
        } else {
            INDArray flat = target.reshape(target.length());
            flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(at, at + data.length))
                    .assign(Nd4j.createFromArray(data).castTo(target.dataType()));
        }
    }

    /** As {@link #putHostDoubles} for the first {@code n} elements of a float array (no widening or narrowing for FLOAT). */
    public static void putHostFloats(INDArray target, long at, float[] data, int n) {
        if (at < 0 || at + n > target.length() || n > data.length) throw new IndexOutOfBoundsException(at + "+" + n);
        if (HOST_MEMORY && plainC(target) && target.dataType() == DataType.FLOAT) {
            target.data().asNioFloat().put(Math.toIntExact(at), data, 0, n);
        } else {
            double[] d = new double[n];
            for (int i = 0; i < n; i++) d[i] = data[i];
            putHostDoubles(target, at, d);
        }
    }

    /**
     * A row-major host copy of an array, kept in its own precision (float stays float: half the memory traffic),
     * with the two loops capsule routing needs. A float copy lives in a per-thread scratch array: it is valid until
     * the next {@link #of} on the same thread.
     */
    public static final class HostRows {
        private final float[] f;
        private final double[] d;

        private HostRows(float[] f, double[] d) {
            this.f = f;
            this.d = d;
        }

        public static HostRows of(INDArray a) {
            INDArray c = plainC(a) ? a : a.dup('c');
            if (HOST_MEMORY && c.dataType() == DataType.FLOAT && plainC(c)) {
                int n = Math.toIntExact(c.length());
                float[] f = scratch(0, n);
                c.data().asNioFloat().get(0, f, 0, n);
                return new HostRows(f, null);
            }
            return new HostRows(null, toHostDoubles(c));
        }

        /** sum_c this[at + c] * y[yAt + c] for c < n. */
        public double dot(int at, double[] y, int yAt, int n) {
            double s0 = 0, s1 = 0;
            int c = 0;
            if (f != null) {
                for (; c + 1 < n; c += 2) {
                    s0 += f[at + c] * y[yAt + c];
                    s1 += f[at + c + 1] * y[yAt + c + 1];
                }
                for (; c < n; c++) s0 += f[at + c] * y[yAt + c];
            } else {
                for (; c + 1 < n; c += 2) {
                    s0 += d[at + c] * y[yAt + c];
                    s1 += d[at + c + 1] * y[yAt + c + 1];
                }
                for (; c < n; c++) s0 += d[at + c] * y[yAt + c];
            }
            return s0 + s1;
        }

        /** y[yAt + c] += a * this[at + c] for c < n. */
        public void axpy(double a, int at, double[] y, int yAt, int n) {
            if (f != null) {
                for (int c = 0; c < n; c++) y[yAt + c] += a * f[at + c];
            } else {
                for (int c = 0; c < n; c++) y[yAt + c] += a * d[at + c];
            }
        }
    }

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][0]);

    /**
     * A per-thread float array of at least {@code n} elements for slot {@code slot}, reused from call to call: the
     * few-MB host copies of a training step would otherwise be fresh humongous objects for G1 every step.
     */
    private static float[] scratch(int slot, int n) {
        float[][] s = SCRATCH.get();
        if (s[slot].length < n) s[slot] = new float[n];
        return s[slot];
    }

    /** Whether the array data sit in host memory that Java may read and write directly (nd4j-native). */
    private static final boolean HOST_MEMORY = !Backend.isCuda();

    /** A whole, row-major, dense buffer starting at element 0: safe to address as {@code row * cols + col}. */
    private static boolean plainC(INDArray a) {
        return a.ordering() == 'c' && a.offset() == 0 && !a.isView() && a.elementWiseStride() == 1
                && a.data().length() == a.length() && a.data().offset() == 0
                && org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(a);
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
