package io.eimf.model.train;

import io.eimf.model.nn.ParamSet;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An extra loss term trained jointly with IBIM (the extension point ESIM's modality-alignment and
 * semantic-prediction losses plug into). Each training step, after the forward pass and the main loss, the trainer
 * calls {@link #lossAndGradient} once per objective with the batch's interests; the objective returns its
 * (already weighted) loss value, adds its gradient w.r.t. the interests into {@link Step#dInterests()} (and, if it
 * depends on them, w.r.t. the item table into {@link Step#dItemEmbeddings()}), and accumulates gradients of its own
 * parameters, which the trainer then updates with the same Adam optimizer, saves in checkpoints and restores on
 * resume. Everything it allocates during the call lives in the step's workspace and must not be kept.
 */
public interface AuxiliaryObjective {
    /** A short name, used as the parameter prefix and in logged losses (e.g. "esim-align"). */
    String name();

    /** Its trainable parameters (their grads are zeroed by the trainer after each update); may be empty. */
    ParamSet params();

    /**
     * Computes the loss for one batch and accumulates gradients.
     *
     * @return the weighted loss value, added to the reported total loss
     */
    double lossAndGradient(Step step);

    /**
     * What an objective sees of one training step.
     *
     * @param step the 1-based step number
     * @param users dense user ids of the batch rows
     * @param targets the target item of each row
     * @param readout the interest chosen by the hard argmax readout for each row
     * @param interests the interests [B, K, d] (read only)
     * @param dInterests gradient accumulator for the interests [B, K, d]: add into it
     * @param itemEmbeddings the item table [numItems+1, d] (read only)
     * @param dItemEmbeddings gradient accumulator for the item table: add into it (e.g. with
     *     {@link io.eimf.model.nn.Ops#scatterAddRows})
     */
    record Step(long step, int[] users, int[] targets, int[] readout, INDArray interests, INDArray dInterests,
                INDArray itemEmbeddings, INDArray dItemEmbeddings) {}
}
