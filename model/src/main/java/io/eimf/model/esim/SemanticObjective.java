package io.eimf.model.esim;

import io.eimf.model.nn.Ops;
import io.eimf.model.nn.ParamSet;
import io.eimf.model.train.AuxiliaryObjective;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What both ESIM losses share: the semantic bank, the loss weight lambda, their own parameters, and the per-batch
 * gathering of the rows that carry semantic interests and of their candidate embeddings.
 */
public abstract class SemanticObjective implements AuxiliaryObjective {
    protected final SemanticBank bank;
    protected final double lambda;
    protected final ParamSet params = new ParamSet();
    private final String name;

    protected SemanticObjective(String name, SemanticBank bank, double lambda) {
        this.name = name;
        this.bank = bank;
        this.lambda = lambda;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ParamSet params() {
        return params;
    }

    @Override
    public double lossAndGradient(Step step) {
        return run(step, true);
    }

    /** The weighted loss only, touching no gradient (finite-difference checks, diagnostics). */
    public double loss(Step step) {
        return run(step, false);
    }

    private double run(Step step, boolean backward) {
        BatchSemantics bs = BatchSemantics.of(bank, step.users());
        if (bs == null || lambda == 0) return 0;
        INDArray interests = step.interests();
        int k = (int) interests.size(1);
        INDArray flat = interests.reshape(interests.size(0) * k, interests.size(2));   // [B*K, d]
        INDArray e = Ops.gatherRows(bank.embeddings(), bs.candidates);                // [M, E], unit rows
        if (e.dataType() != flat.dataType()) e = e.castTo(flat.dataType());
        return compute(step, bs, flat, k, e, backward);
    }

    /**
     * The weighted loss of a batch that has semantic rows; with {@code backward}, adds its gradient to
     * {@code step.dInterests()} and to its own parameters.
     *
     * @param flat the interests as [B*K, d]
     * @param e the batch's candidate semantic embeddings [M, E]
     */
    protected abstract double compute(Step step, BatchSemantics bs, INDArray flat, int k, INDArray e, boolean backward);
}
