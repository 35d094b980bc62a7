package io.eimf.model.train;

import java.util.Map;

/**
 * Receives training events (DJL-style): progress display, metric trackers (MLflow) and tests attach through it.
 * All methods have empty defaults; they run on the training thread, so keep them quick.
 */
public interface TrainingListener {
    /** Before the first step (or the first step after a resume). */
    default void onTrainingBegin(Trainer trainer, long startStep, long maxSteps) {}

    /**
     * After each step.
     *
     * @param loss the total loss (main plus auxiliary)
     * @param auxLosses each auxiliary objective's loss by name (empty for plain IBIM)
     */
    default void onStep(Trainer trainer, long step, double loss, Map<String, Double> auxLosses) {}

    /** After each validation run. */
    default void onValidation(Trainer trainer, long step, Map<String, Double> metrics, boolean improved) {}

    /** After the checkpoint of {@code step} is written. */
    default void onCheckpoint(Trainer trainer, long step) {}

    /** When training ends, after the best weights are restored. */
    default void onTrainingEnd(Trainer trainer, TrainResult result) {}
}
