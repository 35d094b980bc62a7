package io.eimf.model.train;

import java.util.List;
import java.util.Map;

/**
 * The outcome of a training run.
 *
 * @param steps steps taken
 * @param bestStep the step whose weights were kept
 * @param bestValid validation metrics at the best step
 * @param test test metrics of the restored best weights
 * @param validations every validation: step and metrics
 * @param stoppedEarly whether patience ran out before maxSteps
 * @param seconds wall time of this process's part of the run
 */
public record TrainResult(long steps, long bestStep, Map<String, Double> bestValid, Map<String, Double> test,
                          List<Validation> validations, boolean stoppedEarly, double seconds) {
    /** One validation run. */
    public record Validation(long step, Map<String, Double> metrics) {}
}
