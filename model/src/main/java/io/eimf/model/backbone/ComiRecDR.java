package io.eimf.model.backbone;

import io.eimf.model.nn.Ops;
import io.eimf.model.nn.Param;
import io.eimf.model.nn.ParamSet;
import io.eimf.model.nn.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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

    public ComiRecDR(int dim, int interests, int maxLen, DataType type, Rng rng) {
        this.dim = dim;
        this.k = interests;
        this.maxLen = maxLen;
        // tf.random_normal_initializer() in the reference: N(0, 1).
        this.w = params.add(new Param("dr.bilinear", Ops.normal(type, rng, 1.0, maxLen, dim, (long) interests * dim), true));
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

    private record Cache(INDArray xt, INDArray hat, INDArray weight, INDArray z, INDArray s, INDArray n,
                         INDArray interests, int b) implements Activations {}

    /**
     * Test hook: when set, the last routing iteration uses these coupling weights instead of the computed ones, so a
     * finite-difference check sees the stop-gradient function (routing weights held constant) that backward
     * differentiates.
     */
    INDArray frozenRouting;

    @Override
    public Activations forward(INDArray x, HistoryBatch batch) {
        int b = batch.size();
        int l = batch.maxLen();
        if (l != maxLen) throw new IllegalArgumentException("batch length " + l + " != model max length " + maxLen);
        // [B*L, d] -> [L, B, d]; per-position maps as one batched matmul: [L, B, d] x [L, d, K*d].
        INDArray xt = x.reshape(b, l, dim).permute(1, 0, 2).dup('c');
        INDArray hatT = Nd4j.matmul(xt, w.value());                                // [L, B, K*d]
        INDArray hat = hatT.reshape(l, b, k, dim).permute(1, 2, 0, 3).dup('c')    // [B, K, L, d]
                .reshape((long) b * k, l, dim);
        INDArray mask = batch.mask(x.dataType(), k).reshape(b, k, l);
        INDArray logits = Nd4j.zeros(x.dataType(), b, k, l);
        INDArray weight = null;
        INDArray[] sq = null;
        INDArray z = null;
        for (int it = 0; it < ITERATIONS; it++) {
            weight = frozenRouting != null && it == ComiRecDR.ITERATIONS - 1 ? frozenRouting
                    : Ops.softmax(logits, 1).muli(mask);                              // over interests; padding 0
            z = Nd4j.matmul(weight.reshape((long) b * k, 1, l), hat).reshape((long) b * k, dim);
            sq = Ops.squashRows(z);
            if (it < ITERATIONS - 1) {
                // agreement e_hat . v, a constant for the gradient (stop-gradient in the reference)
                INDArray delta = Nd4j.matmul(hat, sq[0].reshape((long) b * k, dim, 1)).reshape(b, k, l);
                logits.addi(delta);
            }
        }
        INDArray interests = sq[0].reshape(b, k, dim);
        return new Cache(xt, hat, weight, z, sq[1], sq[2], interests, b);
    }

    @Override
    public INDArray backward(Activations act, INDArray dI) {
        Cache c = (Cache) act;
        int b = c.b;
        int l = maxLen;
        INDArray dz = Ops.squashBackwardRows(c.z, c.s, c.n, dI.reshape((long) b * k, dim));
        // z = weight @ hat with weight constant: dHat = weight^T @ dz  -> [B*K, L, d]
        INDArray dHat = Nd4j.matmul(c.weight.reshape((long) b * k, l, 1), dz.reshape((long) b * k, 1, dim));
        INDArray dHatT = dHat.reshape(b, k, l, dim).permute(2, 0, 1, 3).dup('c').reshape(l, b, (long) k * dim);
        w.grad().addi(Nd4j.matmul(c.xt, dHatT, true, false, false));             // [L, d, K*d]
        INDArray dxt = Nd4j.matmul(dHatT, w.value(), false, true, false);         // [L, B, d]
        return dxt.permute(1, 0, 2).dup('c').reshape((long) b * l, dim);
    }
}
