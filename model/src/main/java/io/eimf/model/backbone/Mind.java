package io.eimf.model.backbone;

import io.eimf.model.nn.Init;
import io.eimf.model.nn.Linear;
import io.eimf.model.nn.Ops;
import io.eimf.model.nn.Param;
import io.eimf.model.nn.ParamSet;
import io.eimf.model.nn.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * MIND (Li et al., CIKM 2019) as ComiRec's reference code runs it: behaviour-to-interest (B2I) routing with one
 * bilinear map {@code S} shared by all interests ({@code bilinear_type=0}), routing logits initialised from
 * N(0, 1) so the K capsules differ, three iterations with stop-gradient on the first two, squash, then a ReLU
 * layer. Deviation, documented in METHOD.md: the random initial logits are drawn once at model creation and stored
 * as a fixed buffer (the reference redraws them per batch) so that inference is deterministic; the interest count
 * is fixed at K (no dynamic interest number) and the readout is the same hard argmax as ComiRec.
 */
public final class Mind implements MultiInterestBackbone {
    public static final String NAME = "mind";
    private final int dim;
    private final int k;
    private final int maxLen;
    private final ParamSet params = new ParamSet();
    private final Linear bilinear;
    private final Param routingInit;
    private final Linear proj;

    public Mind(int dim, int interests, int maxLen, Init init, DataType type, Rng rng) {
        this.dim = dim;
        this.k = interests;
        this.maxLen = maxLen;
        this.bilinear = new Linear("mind.bilinear", dim, dim, false, init, type, rng, params);
        this.routingInit = params.add(new Param("mind.routing_init", Ops.normal(type, rng, 1.0, interests, maxLen), false));
        this.proj = new Linear("mind.proj", dim, dim, true, init, type, rng, params);
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

    private record Cache(INDArray x, INDArray hat, INDArray weight, INDArray z, INDArray s, INDArray n,
                         INDArray caps, INDArray out, INDArray interests, int b) implements Activations {}

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
        INDArray hat2 = bilinear.forward(x);                                       // [B*L, d]
        INDArray hat = hat2.reshape(b, l, dim);
        INDArray mask = batch.mask(x.dataType(), k).reshape(b, k, l);
        INDArray logits = routingInit.value().reshape(1, (long) k * l)
                .repeat(0, b).reshape(b, k, l).dup('c');
        INDArray weight = null;
        INDArray[] sq = null;
        INDArray z = null;
        for (int it = 0; it < ComiRecDR.ITERATIONS; it++) {
            weight = frozenRouting != null && it == ComiRecDR.ITERATIONS - 1 ? frozenRouting
                    : Ops.softmax(logits, 1).muli(mask);
            z = Nd4j.matmul(weight, hat).reshape((long) b * k, dim);                // [B*K, d]
            sq = Ops.squashRows(z);
            if (it < ComiRecDR.ITERATIONS - 1) {
                logits.addi(Nd4j.matmul(sq[0].reshape(b, k, dim), hat, false, true, false)); // [B, K, L]
            }
        }
        INDArray caps = sq[0];
        INDArray out = proj.forward(caps);
        INDArray interests = Transforms.relu(out, true).reshape(b, k, dim);
        return new Cache(x, hat, weight, z, sq[1], sq[2], caps, out, interests, b);
    }

    @Override
    public INDArray backward(Activations act, INDArray dI) {
        Cache c = (Cache) act;
        int b = c.b;
        int l = maxLen;
        INDArray dOut = dI.reshape((long) b * k, dim).mul(c.out.gt(0).castTo(c.out.dataType()));
        INDArray dCaps = proj.backward(c.caps, dOut);
        INDArray dz = Ops.squashBackwardRows(c.z, c.s, c.n, dCaps);
        INDArray dHat = Nd4j.matmul(c.weight, dz.reshape(b, k, dim), true, false, false)    // [B, L, d]
                .reshape((long) b * l, dim);
        return bilinear.backward(c.x, dHat);
    }
}
