package io.eimf.model.inference;

import io.eimf.model.backbone.ComiRecDR;
import io.eimf.model.backbone.ComiRecSA;
import io.eimf.model.backbone.HistoryAlignment;
import io.eimf.model.backbone.Mind;
import io.eimf.model.ibim.IbimModel;
import io.eimf.model.nn.ParamSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One user's K interests in plain Java: the same maths as the backbones' ND4J forward passes (ComiRec-SA,
 * ComiRec-DR, MIND), on float[] copies of the weights taken once at construction. Serving asks for one history at a
 * time, where ND4J's per-op JNI dispatch and OpenMP wake-ups cost more than the arithmetic (the whole ND4J path
 * measured 2.3-2.6x slower per request at 10k items, docs/BENCHMARKS.md); batched training and evaluation keep the
 * ND4J path. Padded positions are skipped rather than masked: the ND4J
 * forward gives them exactly zero weight (masked softmax underflows to 0, routing weights are multiplied by the
 * mask), so skipping them is the same function. Thread-safe: weights are read-only and scratch is per thread.
 */
public abstract sealed class InterestForward {
    final int dim;
    final int k;
    final int maxLen;
    private final HistoryAlignment alignment;
    /** The item table [numItems+1, d] row-major, for gathering the history's embeddings. */
    final float[] items;
    private final ThreadLocal<float[]> xBuf;

    private InterestForward(IbimModel model, float[] items) {
        this.dim = model.config().dim();
        this.k = model.config().interests();
        this.maxLen = model.config().maxLen();
        this.alignment = model.config().alignment();
        this.items = items;
        this.xBuf = ThreadLocal.withInitial(() -> new float[maxLen * dim]);
    }

    /** The forward for this model's backbone, reading the item table from {@code items} ([numItems+1, d]). */
    public static InterestForward of(IbimModel model, float[] items) {
        String name = model.backbone().name();
        return switch (name) {
            case ComiRecSA.NAME -> new SelfAttentive(model, items);
            case ComiRecDR.NAME -> new DynamicRouting(model, items);
            case Mind.NAME -> new MindRouting(model, items);
            default -> throw new IllegalArgumentException("no plain-Java forward for backbone " + name);
        };
    }

    /** A parameter or table as a row-major float copy (models may be held in double). */
    static float[] floats(INDArray a) {
        INDArray f = a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT);
        return f.dup('c').data().asFloat();
    }

    public int interests() {
        return k;
    }

    public int dim() {
        return dim;
    }

    /**
     * Writes the K interests of one history into {@code out} ([K*d], row k at k*d). Like {@code HistoryBatch}, only
     * the most recent maxLen items are read.
     *
     * @param history dense item ids (1..numItems), oldest first, at least one
     */
    public void interests(int[] history, float[] out) {
        int from = Math.max(0, history.length - maxLen);
        int len = history.length - from;
        if (len <= 0) throw new IllegalArgumentException("history is empty");
        float[] x = xBuf.get();
        for (int t = 0; t < len; t++) System.arraycopy(items, history[from + t] * dim, x, t * dim, dim);
        forward(x, len, alignment.start(len, maxLen), out);
    }

    /**
     * The backbone's forward on the gathered embeddings {@code x} ([len, d], only real positions); x's row t sits at
     * position {@code start + t} of the padded row (what position-dependent weights see).
     */
    abstract void forward(float[] x, int len, int start, float[] out);

    /**
     * {@code y[yOff+o] = b[o] + sum_i x[xOff+i] W[wOff + i*out + o]} for W [in, out] row-major (b may be null), as
     * one saxpy over o per input so W is read in memory order.
     */
    static void affine(float[] x, int xOff, int in, float[] w, int wOff, float[] b, float[] y, int yOff, int out) {
        if (b != null) System.arraycopy(b, 0, y, yOff, out);
        else java.util.Arrays.fill(y, yOff, yOff + out, 0f);
        for (int i = 0; i < in; i++) {
            float xi = x[xOff + i];
            int row = wOff + i * out;
            for (int o = 0; o < out; o++) y[yOff + o] += xi * w[row + o];
        }
    }

    /** Capsule squash of {@code z[off, off+d)} in place, as {@code Ops.squashRows}. */
    static void squash(float[] z, int off, int d) {
        double n = 0;
        for (int j = 0; j < d; j++) n += (double) z[off + j] * z[off + j];
        float s = (float) (n / (1 + n) / Math.sqrt(n + 1e-9));
        for (int j = 0; j < d; j++) z[off + j] *= s;
    }

    /** Softmax over the K interests of each position's logits ([K, maxLen]), for the first {@code len} positions. */
    static void softmaxOverInterests(float[] logits, int k, int maxLen, int len, float[] weight) {
        for (int t = 0; t < len; t++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int kk = 0; kk < k; kk++) max = Math.max(max, logits[kk * maxLen + t]);
            double sum = 0;
            for (int kk = 0; kk < k; kk++) {
                double e = Math.exp(logits[kk * maxLen + t] - max);
                weight[kk * maxLen + t] = (float) e;
                sum += e;
            }
            for (int kk = 0; kk < k; kk++) weight[kk * maxLen + t] = (float) (weight[kk * maxLen + t] / sum);
        }
    }

    /**
     * Three routing iterations (ComiRec-DR and MIND share them): couplings are a softmax over the K interests per
     * position, capsule k is the squashed coupling-weighted sum of its prediction vectors, and the first two
     * iterations add the agreement {@code e_hat[k,t] . v[k]} to the logits. Prediction vector (k, t) starts at
     * {@code hat[t*tStride + k*kStride]} (kStride 0: one vector per position, shared by the interests).
     */
    final void route(float[] hat, int tStride, int kStride, int len, float[] logits, float[] weight, float[] caps) {
        for (int it = 0; it < 3; it++) {
            softmaxOverInterests(logits, k, maxLen, len, weight);
            java.util.Arrays.fill(caps, 0, k * dim, 0f);
            for (int kk = 0; kk < k; kk++) {
                for (int t = 0; t < len; t++) {
                    float a = weight[kk * maxLen + t];
                    int h = t * tStride + kk * kStride;
                    for (int j = 0; j < dim; j++) caps[kk * dim + j] += a * hat[h + j];
                }
                squash(caps, kk * dim, dim);
            }
            if (it < 2) {
                for (int kk = 0; kk < k; kk++) {
                    for (int t = 0; t < len; t++) {
                        int h = t * tStride + kk * kStride;
                        float dot = 0;
                        for (int j = 0; j < dim; j++) dot += hat[h + j] * caps[kk * dim + j];
                        logits[kk * maxLen + t] += dot;
                    }
                }
            }
        }
    }

    /** ComiRec-SA: K-head self-attentive pooling over the history (see {@link ComiRecSA}). */
    static final class SelfAttentive extends InterestForward {
        private final float[] pos;
        private final float[] w1;
        private final float[] b1;
        private final float[] w2;
        private final float[] b2;
        private final int hiddenSize;
        private final ThreadLocal<float[][]> scratch;

        SelfAttentive(IbimModel model, float[] items) {
            super(model, items);
            ParamSet p = model.backbone().params();
            this.pos = floats(p.get("sa.position").value());
            this.w1 = floats(p.get("sa.w1.W").value());
            this.b1 = floats(p.get("sa.w1.b").value());
            this.w2 = floats(p.get("sa.w2.W").value());
            this.b2 = floats(p.get("sa.w2.b").value());
            this.hiddenSize = b1.length;
            this.scratch = ThreadLocal.withInitial(() -> new float[][] {new float[dim], new float[hiddenSize],
                    new float[k * maxLen]});
        }

        @Override
        void forward(float[] x, int len, int start, float[] out) {
            float[][] s = scratch.get();
            float[] xp = s[0];
            float[] h = s[1];
            float[] logits = s[2]; // [K, maxLen]
            for (int t = 0; t < len; t++) {
                for (int j = 0; j < dim; j++) xp[j] = x[t * dim + j] + pos[(start + t) * dim + j];
                affine(xp, 0, dim, w1, 0, b1, h, 0, hiddenSize);
                // tanh as 1 - 2/(e^2x + 1): Math.exp is an intrinsic, Math.tanh is several times slower here;
                // overflow to infinity still gives exactly +-1.
                for (int o = 0; o < hiddenSize; o++) h[o] = (float) (1 - 2 / (Math.exp(2.0 * h[o]) + 1));
                for (int kk = 0; kk < k; kk++) {
                    float a = b2[kk];
                    for (int o = 0; o < hiddenSize; o++) a += h[o] * w2[o * k + kk];
                    logits[kk * maxLen + t] = a;
                }
            }
            java.util.Arrays.fill(out, 0, k * dim, 0f);
            for (int kk = 0; kk < k; kk++) {
                int row = kk * maxLen;
                float max = Float.NEGATIVE_INFINITY;
                for (int t = 0; t < len; t++) max = Math.max(max, logits[row + t]);
                double sum = 0;
                for (int t = 0; t < len; t++) {
                    double e = Math.exp(logits[row + t] - max);
                    logits[row + t] = (float) e;
                    sum += e;
                }
                for (int t = 0; t < len; t++) {
                    float a = (float) (logits[row + t] / sum);
                    for (int j = 0; j < dim; j++) out[kk * dim + j] += a * x[t * dim + j];
                }
            }
        }
    }

    /**
     * ComiRec-DR: per-position bilinear maps and three routing iterations from zero logits (see {@link ComiRecDR});
     * nothing random at inference.
     */
    static final class DynamicRouting extends InterestForward {
        private final float[] w; // [L, d, K*d]
        private final ThreadLocal<float[][]> scratch;

        DynamicRouting(IbimModel model, float[] items) {
            super(model, items);
            this.w = floats(model.backbone().params().get("dr.bilinear").value());
            this.scratch = ThreadLocal.withInitial(() -> new float[][] {new float[maxLen * k * dim],
                    new float[k * maxLen], new float[k * maxLen]});
        }

        @Override
        void forward(float[] x, int len, int start, float[] out) {
            float[][] s = scratch.get();
            float[] hat = s[0];    // [t][K*d]: e_hat[k, t] at t*K*d + k*d
            float[] logits = s[1]; // [K, maxLen]
            float[] weight = s[2];
            int kd = k * dim;
            for (int t = 0; t < len; t++) affine(x, t * dim, dim, w, (start + t) * dim * kd, null, hat, t * kd, kd);
            java.util.Arrays.fill(logits, 0f);
            route(hat, kd, dim, len, logits, weight, out);
        }
    }

    /**
     * MIND: one shared bilinear map, routing from the stored N(0, 1) initial logits (drawn once at model creation,
     * so inference is deterministic; see {@link Mind}), squash, then ReLU(caps W + b).
     */
    static final class MindRouting extends InterestForward {
        private final float[] bilinear; // [d, d]
        private final float[] routingInit; // [K, L]
        private final float[] projW;
        private final float[] projB;
        private final ThreadLocal<float[][]> scratch;

        MindRouting(IbimModel model, float[] items) {
            super(model, items);
            ParamSet p = model.backbone().params();
            this.bilinear = floats(p.get("mind.bilinear.W").value());
            this.routingInit = floats(p.get("mind.routing_init").value());
            this.projW = floats(p.get("mind.proj.W").value());
            this.projB = floats(p.get("mind.proj.b").value());
            this.scratch = ThreadLocal.withInitial(() -> new float[][] {new float[maxLen * dim],
                    new float[k * maxLen], new float[k * maxLen], new float[k * dim], new float[dim]});
        }

        @Override
        void forward(float[] x, int len, int start, float[] out) {
            float[][] s = scratch.get();
            float[] hat = s[0];    // [t][d]
            float[] logits = s[1]; // [K, maxLen]
            float[] weight = s[2];
            float[] caps = s[3];   // [K, d]
            float[] y = s[4];
            for (int t = 0; t < len; t++) affine(x, t * dim, dim, bilinear, 0, null, hat, t * dim, dim);
            for (int kk = 0; kk < k; kk++) System.arraycopy(routingInit, kk * maxLen + start, logits, kk * maxLen, len);
            route(hat, dim, 0, len, logits, weight, caps);
            for (int kk = 0; kk < k; kk++) {
                affine(caps, kk * dim, dim, projW, 0, projB, y, 0, dim);
                for (int j = 0; j < dim; j++) out[kk * dim + j] = Math.max(0f, y[j]);
            }
        }
    }
}
