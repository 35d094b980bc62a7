package io.eimf.model.esim;

import io.eimf.model.nn.Linear;
import io.eimf.model.nn.Ops;
import io.eimf.model.nn.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ESIM's semantic-prediction loss: a linear head {@code y = h W_Q + b_Q} maps each behavioural interest to the
 * text-embedding space; each behavioural interest of a row with semantic interests is paired with one of its own
 * semantic interests by maximum cosine assignment between y and the (unit) semantic embeddings, and the loss is
 * lambda x mean over pairs of {@code 1 - cos(y, e)}.
 */
public final class SemanticPrediction extends SemanticObjective {
    public static final String NAME = "esim-predict";
    private final Linear head;

    public SemanticPrediction(SemanticBank bank, int dim, double lambda, DataType type, Rng rng) {
        super(NAME, bank, lambda);
        this.head = new Linear("esim.predict.head", dim, bank.dimension(), true, type, rng, params);
    }

    @Override
    protected double compute(Step step, BatchSemantics bs, INDArray flat, int k, INDArray e, boolean backward) {
        int[] allRows = bs.allFlatRows(k);
        INDArray hAll = Ops.gatherRows(flat, allRows);                             // [R*K, d]
        INDArray[] yAll = BatchSemantics.normalizeRows(head.forward(hAll));        // [R*K, E]
        BatchSemantics.Pairs pairs = bs.match(yAll[0].mmul(e.transpose()), k);
        int n = pairs.size();
        int[] local = BatchSemantics.localRows(pairs, k);
        INDArray[] yn = {Ops.gatherRows(yAll[0], local), Ops.gatherRows(yAll[1], local)};
        INDArray t = Ops.gatherRows(e, pairs.candidate());                         // [N, E]
        double cos = yn[0].mul(t).sumNumber().doubleValue() / n;
        if (backward) {
            INDArray dyn = t.mul(-lambda / n);
            INDArray dy = BatchSemantics.normalizeBackward(yn[0], yn[1], dyn);
            BatchSemantics.addToInterests(step.dInterests(), pairs.flatRows(),
                    head.backward(Ops.gatherRows(hAll, local), dy));
        }
        return lambda * (1 - cos);
    }
}
