package io.eimf.model.train;

import io.eimf.core.progress.Progress;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/** Prints steps/s, smoothed loss, ETA (to max-steps; early stopping usually ends sooner) and validations. */
public final class ProgressListener implements TrainingListener {
    private final PrintStream out;
    private final Duration interval;
    private Progress progress;
    private double smoothed = Double.NaN;
    private String lastValid = "";

    public ProgressListener(PrintStream out, Duration interval) {
        this.out = out;
        this.interval = interval;
    }

    @Override
    public void onTrainingBegin(Trainer trainer, long startStep, long maxSteps) {
        progress = new Progress("train " + trainer.model().config().backbone(), maxSteps - startStep, out, interval);
        if (startStep > 0) out.println("[train] resumed at step " + startStep);
    }

    @Override
    public void onStep(Trainer trainer, long step, double loss, Map<String, Double> aux) {
        smoothed = Double.isNaN(smoothed) ? loss : 0.98 * smoothed + 0.02 * loss;
        progress.advance(1, String.format(Locale.ROOT, "step %d loss %.4f%s", step, smoothed, lastValid));
    }

    @Override
    public void onValidation(Trainer trainer, long step, Map<String, Double> m, boolean improved) {
        lastValid = String.format(Locale.ROOT, " | valid@%d recall@50 %.4f hitrate@50 %.4f%s", step,
                m.getOrDefault("recall@50", Double.NaN), m.getOrDefault("hitrate@50", Double.NaN), improved ? " *" : "");
        out.println("[valid] step " + step + lastValid.substring(lastValid.indexOf(" recall")) );
    }

    @Override
    public void onTrainingEnd(Trainer trainer, TrainResult r) {
        progress.finish(String.format(Locale.ROOT, "best step %d%s", r.bestStep(), r.stoppedEarly() ? " (early stop)" : ""));
    }
}
