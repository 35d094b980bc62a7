package io.eimf.model.backbone;

import io.eimf.model.nn.Init;
import io.eimf.model.nn.Ops;
import io.eimf.model.nn.Param;
import io.eimf.model.nn.ParamSet;
import io.eimf.model.nn.Rng;
import io.eimf.model.nn.StepThreads;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * ComiRec-DR (Cen et al., KDD 2020): capsule dynamic routing. As in the reference CapsuleNetwork with
 * {@code bilinear_type=2}, each position t has its own map {@code W_t: R^d -> R^{K d}} giving the prediction
 * vectors {@code e_hat[k,t]}; routing logits start at zero, are not trained, and the first two of the three routing
 * iterations see {@code e_hat} through a stop-gradient, so gradients flow only through the last iteration's
 * weighted sum and squash. The coupling softmax runs over the K interests; padded positions get weight 0.
 */
public final class ComiRecDR implements MultiInterestBackbone {
    public static final String NAME = "comirec-dr";
    static final int ITERATIONS = 3;
    private final int dim;
    private final int k;
    private final int maxLen;
    private final ParamSet params = new ParamSet();
    private final Param w;
    private StepThreads threads = StepThreads.SINGLE;

    public ComiRecDR(int dim, int interests, int maxLen, Init init, DataType type, Rng rng) {
        this.dim = dim;
        this.k = interests;
        this.maxLen = maxLen;
        this.w = params.add(new Param("dr.bilinear", init.positionMaps(type, rng, maxLen, dim, (long) interests * dim), true));
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

    private record Cache(INDArray xt, INDArray weight, double[] hostWeight, INDArray z, INDArray s, INDArray n,
                         INDArray interests, int b) implements Activations {}

    /**
     * Test hook: when set, the last routing iteration uses these coupling weights instead of the computed ones, so a
     * finite-difference check sees the stop-gradient function (routing weights held constant) that backward
     * differentiates.
     */
    INDArray frozenRouting;

    /*
     * Speed (docs/BENCHMARKS.md, train): the routing is a few million multiply-adds spread over B*K tiny matrices,
     * which ND4J ran as hundreds of small batched gemms, softmaxes and permute copies (~17 ms per step). Here the
     * prediction vectors stay in the [L, B, K, d] layout the per-position gemm produces, one host copy of them is
     * read by plain loops, and each later routing iteration is one pass over it: at every (position, user) the K
     * agreements, the softmax over K and the next weighted sums use the same K*d block while it is in L1. The
     * backward writes dHat straight into the [L, B, K*d] layout of the per-position gemms. Sums run in double.
     */
    @Override
    public Activations forward(INDArray x, HistoryBatch batch) {
        int b = batch.size();
        int l = batch.maxLen();
        if (l != maxLen) throw new IllegalArgumentException("batch length " + l + " != model max length " + maxLen);
        DataType type = x.dataType();
        // [B*L, d] -> [L, B, d]; per-position maps as one batched matmul: [L, B, d] x [L, d, K*d].
        INDArray xt = x.reshape(b, l, dim).permute(1, 0, 2).dup('c');
        INDArray hatT = Nd4j.createUninitialized(type, l, b, (long) k * dim);
        positionMatmul(xt, w.value(), hatT, false, l);
        Ops.HostRows hat = Ops.HostRows.of(hatT);                                 // [L, B, K, d]
        int bk = b * k;
        int[] lo = new int[b];                                                     // real positions [lo, hi)
        int[] hi = new int[b];
        for (int i = 0; i < b; i++) {
            lo[i] = batch.start(i);
            hi[i] = lo[i] + batch.length(i);
        }
        double[] logits = new double[bk * l];                                      // [B, K, L], start at 0
        double[] weight = new double[bk * l];                                      // padding stays 0
        double[] z = new double[bk * dim];
        double[] v = new double[bk * dim];
        double[] s = new double[bk];
        double[] n = new double[bk];
        // users are independent: ranges of users on the step threads, each writing only its own rows
        // (the test hook's frozen weights cover all users: one part)
        int parts = frozenRouting != null ? 1 : threads.parts(b);
        threads.run(parts, p -> route(hat, lo, hi, (int) StepThreads.start(b, parts, p), (int) StepThreads.start(b, parts, p + 1),
                l, logits, weight, z, v, s, n));
        INDArray interests = Ops.fromHostDoubles(v, type, b, k, dim);
        return new Cache(xt, Ops.fromHostDoubles(weight, type, b, k, l), weight, Ops.fromHostDoubles(z, type, bk, dim),
                Ops.fromHostDoubles(s, type, bk, 1), Ops.fromHostDoubles(n, type, bk, 1), interests, b);
    }

    /**
     * The three routing iterations for users [i0, i1) (user i's real positions are [lo[i], hi[i])): fills their rows
     * of logits, weight, z, v, s and n.
     */
    private void route(Ops.HostRows hat, int[] lo, int[] hi, int i0, int i1, int l, double[] logits, double[] weight, double[] z,
                       double[] v, double[] s, double[] n) {
        int bk = lo.length * k;
        int r0 = i0 * k;
        int r1 = i1 * k;
        double[] e = new double[k];
        int last = ITERATIONS - 1;
        if (frozenRouting != null && last == 0) {
            double[] f = Ops.toHostDoubles(frozenRouting);
            System.arraycopy(f, r0 * l, weight, r0 * l, (r1 - r0) * l);
        } else {
            for (int i = i0; i < i1; i++) for (int t = lo[i]; t < hi[i]; t++) softmaxOverK(logits, weight, e, i, t, l);
        }
        weightedSums(hat, weight, z, bk, r0, r1, l);
        for (int it = 0; ; it++) {
            squash(z, v, s, n, r0, r1);
            if (it == last) break;
            // agreement e_hat . v (a constant for the gradient: stop-gradient in the reference), then the next weights
            boolean frozenNext = frozenRouting != null && it + 1 == last;
            java.util.Arrays.fill(z, r0 * dim, r1 * dim, 0);
            for (int t = 0; t < l; t++) {
                for (int i = i0; i < i1; i++) {
                    if (t < lo[i] || t >= hi[i]) continue;
                    for (int j = 0; j < k; j++) {
                        int r = i * k + j;
                        logits[r * l + t] += hat.dot((t * bk + r) * dim, v, r * dim, dim);
                    }
                    if (frozenNext) continue;
                    softmaxOverK(logits, weight, e, i, t, l);
                    for (int j = 0; j < k; j++) {
                        int r = i * k + j;
                        hat.axpy(weight[r * l + t], (t * bk + r) * dim, z, r * dim, dim);
                    }
                }
            }
            if (frozenNext) {
                double[] f = Ops.toHostDoubles(frozenRouting);
                System.arraycopy(f, r0 * l, weight, r0 * l, (r1 - r0) * l);
                weightedSums(hat, weight, z, bk, r0, r1, l);
            }
        }
    }

    /**
     * out[t] = a[t] (x) b[t] for the L positions of batched [L, *, *] arrays (op(b) = b^T when transB), position
     * ranges on the step threads, into the caller's array.
     */
    private void positionMatmul(INDArray a, INDArray bm, INDArray out, boolean transB, int l) {
        int parts = threads.parts(l);
        INDArray[][] v = new INDArray[parts][3];
        for (int p = 0; p < parts; p++) {
            var range = NDArrayIndex.interval(StepThreads.start(l, parts, p), StepThreads.start(l, parts, p + 1));
            v[p][0] = a.get(range, NDArrayIndex.all(), NDArrayIndex.all());
            v[p][1] = bm.get(range, NDArrayIndex.all(), NDArrayIndex.all());
            v[p][2] = out.get(range, NDArrayIndex.all(), NDArrayIndex.all());
        }
        threads.run(parts, p -> Nd4j.matmul(v[p][0], v[p][1], v[p][2], false, transB, false));
    }

    @Override
    public void useThreads(StepThreads threads) {
        this.threads = threads == null ? StepThreads.SINGLE : threads;
    }

    /** weight[i, :, t] = softmax over the K interests of logits[i, :, t] (layout [B, K, L]). */
    private void softmaxOverK(double[] logits, double[] weight, double[] e, int i, int t, int l) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) max = Math.max(max, logits[(i * k + j) * l + t]);
        double sum = 0;
        for (int j = 0; j < k; j++) {
            e[j] = Math.exp(logits[(i * k + j) * l + t] - max);
            sum += e[j];
        }
        for (int j = 0; j < k; j++) weight[(i * k + j) * l + t] = e[j] / sum;
    }

    /** z[r] = sum_t weight[r, t] * hat[t, r] for the rows r in [r0, r1) of B*K. */
    private void weightedSums(Ops.HostRows hat, double[] weight, double[] z, int bk, int r0, int r1, int l) {
        java.util.Arrays.fill(z, r0 * dim, r1 * dim, 0);
        for (int t = 0; t < l; t++) {
            for (int r = r0; r < r1; r++) {
                double wt = weight[r * l + t];
                if (wt != 0) hat.axpy(wt, (t * bk + r) * dim, z, r * dim, dim);
            }
        }
    }

    /** As {@link Ops#squashRows}: v = z * n/(1+n)/sqrt(n+eps) with n = |z|^2, row by row. */
    private void squash(double[] z, double[] v, double[] s, double[] n, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            double nn = 0;
            for (int c = 0; c < dim; c++) nn += z[r * dim + c] * z[r * dim + c];
            double sc = nn / (nn + 1) / Math.sqrt(nn + Ops.SQUASH_EPS);
            n[r] = nn;
            s[r] = sc;
            for (int c = 0; c < dim; c++) v[r * dim + c] = z[r * dim + c] * sc;
        }
    }

    @Override
    public INDArray backward(Activations act, INDArray dI) {
        Cache c = (Cache) act;
        int b = c.b;
        int l = maxLen;
        int bk = b * k;
        INDArray dz = Ops.squashBackwardRows(c.z, c.s, c.n, dI.reshape((long) bk, dim));
        // z = weight @ hat with weight constant: dHat[t, r, :] = weight[r, t] * dz[r, :], written straight into the
        // [L, B, K*d] layout of the per-position gemms, one position at a time
        double[] dzh = Ops.toHostDoubles(dz);
        double[] wt = c.hostWeight;
        DataType type = dz.dataType();
        INDArray dHatT = Nd4j.createUninitialized(type, l, b, (long) k * dim);
        INDArray dW = Nd4j.createUninitialized(type, l, dim, (long) k * dim);
        INDArray dxt = Nd4j.createUninitialized(type, l, b, dim);
        // positions are independent: ranges of positions on the step threads (dHat, then the per-position gemms
        // dW[t] = xt[t]^T dHat[t] and dx[t] = dHat[t] W[t]^T, each part adding its own positions of the gradient)
        int parts = threads.parts(l);
        INDArray[][] v = new INDArray[parts][6];
        for (int p = 0; p < parts; p++) {
            var range = NDArrayIndex.interval(StepThreads.start(l, parts, p), StepThreads.start(l, parts, p + 1));
            INDArray[] arrays = {c.xt, dHatT, dW, dxt, w.value(), w.grad()};
            for (int i = 0; i < arrays.length; i++) v[p][i] = arrays[i].get(range, NDArrayIndex.all(), NDArrayIndex.all());
        }
        threads.run(parts, p -> {
            int t0 = (int) StepThreads.start(l, parts, p);
            int t1 = (int) StepThreads.start(l, parts, p + 1);
            writeHatGradient(dHatT, wt, dzh, bk, l, t0, t1);
            INDArray[] r = v[p]; // xt, dHat, dW, dx, W, grad
            Nd4j.matmul(r[0], r[1], r[2], true, false, false);                   // [t, d, K*d]
            r[5].addi(r[2]);
            Nd4j.matmul(r[1], r[4], r[3], false, true, false);                   // [t, B, d]
        });
        return dxt.permute(1, 0, 2).dup('c').reshape((long) b * l, dim);
    }

    /** dHat[t, r, :] = weight[r, t] * dz[r, :] for positions [t0, t1), into the [L, B, K*d] array. */
    private void writeHatGradient(INDArray dHatT, double[] wt, double[] dzh, int bk, int l, int t0, int t1) {
        if (dHatT.dataType() == DataType.FLOAT) {
            float[] block = new float[bk * dim];
            for (int t = t0; t < t1; t++) {
                for (int r = 0; r < bk; r++) {
                    double a = wt[r * l + t];
                    int o = r * dim;
                    for (int q = 0; q < dim; q++) block[o + q] = (float) (a * dzh[o + q]);
                }
                Ops.putHostFloats(dHatT, (long) t * bk * dim, block, block.length);
            }
        } else {
            double[] block = new double[bk * dim];
            for (int t = t0; t < t1; t++) {
                for (int r = 0; r < bk; r++) {
                    double a = wt[r * l + t];
                    int o = r * dim;
                    for (int q = 0; q < dim; q++) block[o + q] = a * dzh[o + q];
                }
                Ops.putHostDoubles(dHatT, (long) t * bk * dim, block);
            }
        }
    }
}
