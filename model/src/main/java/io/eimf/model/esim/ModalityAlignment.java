package io.eimf.model.esim;

import io.eimf.model.nn.Linear;
import io.eimf.model.nn.Ops;
import io.eimf.model.nn.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * ESIM's modality-alignment loss: semantic interest embeddings e (E-d text vectors) are projected to the interest
 * space by a learned affine map {@code s = e W_P + b_P}; each behavioural interest of a row with semantic
 * interests is paired with one of its own semantic interests by maximum cosine assignment, and an InfoNCE loss
 * with temperature tau pulls it towards its partner and away from the other distinct semantic interests in the
 * batch (the row's own other interests are left out of the denominator). Loss = lambda x mean over pairs.
 */
public final class ModalityAlignment extends SemanticObjective {
    public static final String NAME = "esim-align";
    private final double tau;
    private final Linear projection;

    /**
     * @param dim interest size d
     * @param rng initialisation (Glorot uniform weights, zero bias)
     */
    public ModalityAlignment(SemanticBank bank, int dim, double lambda, double tau, DataType type, Rng rng) {
        super(NAME, bank, lambda);
        if (!(tau > 0)) throw new IllegalArgumentException("tau must be positive");
        this.tau = tau;
        this.projection = new Linear("esim.align.projection", bank.dimension(), dim, true, type, rng, params);
    }

    @Override
    protected double compute(Step step, BatchSemantics bs, INDArray flat, int k, INDArray e, boolean backward) {
        INDArray z = projection.forward(e);                                        // [M, d]
        INDArray[] zn = BatchSemantics.normalizeRows(z);
        INDArray s = zn[0];
        // Matching: cosine of every interest of the semantic rows to every candidate; no gradient through it.
        int[] allRows = bs.allFlatRows(k);
        INDArray[] hAll = BatchSemantics.normalizeRows(Ops.gatherRows(flat, allRows));   // [R*K, d]
        INDArray sim = hAll[0].mmul(s.transpose());                                 // [R*K, M] cosines
        BatchSemantics.Pairs pairs = bs.match(sim, k);
        int n = pairs.size();
        int m = bs.candidates.length;
        int[] local = BatchSemantics.localRows(pairs, k);
        INDArray[] hn = {Ops.gatherRows(hAll[0], local), Ops.gatherRows(hAll[1], local)};  // [N, d], [N, 1]
        INDArray logits = Ops.gatherRows(sim, local).divi(tau);                    // [N, M]
        float[] bias = new float[n * m];
        float[] onehot = new float[n * m];
        for (int a = 0; a < n; a++) {
            for (int j : bs.own[pairs.semanticRow()[a]]) {
                if (j != pairs.candidate()[a]) bias[a * m + j] = (float) Ops.MASKED;
            }
            onehot[a * m + pairs.candidate()[a]] = 1f;
        }
        logits.addi(Ops.fromFloats(logits.dataType(), bias, n, m));
        INDArray y = Ops.fromFloats(logits.dataType(), onehot, n, m);
        INDArray p = Ops.softmax(logits, 1);
        double loss = -Transforms.log(p.add(1e-30), false).muli(y).sumNumber().doubleValue() / n;
        if (backward) {
            INDArray g = p.subi(y).muli(lambda / n);                               // d loss / d logits
            INDArray dhn = g.mmul(s).divi(tau);                                    // [N, d]
            INDArray dsn = g.transpose().mmul(hn[0]).divi(tau);                    // [M, d]
            BatchSemantics.addToInterests(step.dInterests(), pairs.flatRows(),
                    BatchSemantics.normalizeBackward(hn[0], hn[1], dhn));
            projection.backward(e, BatchSemantics.normalizeBackward(s, zn[1], dsn));
        }
        return lambda * loss;
    }
}
