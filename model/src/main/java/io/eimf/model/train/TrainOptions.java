package io.eimf.model.train;

/**
 * Training settings (defaults follow ComiRec's protocol; see docs/METHOD.md).
 *
 * @param batchSize users per step (128)
 * @param learningRate Adam learning rate (1e-3)
 * @param negativesPerRow shared negatives per batch row: 10 x batch negatives in all (10)
 * @param sampler uniform (default) or log-uniform
 * @param removeAccidentalHits mask negatives equal to the row's target (true, as TensorFlow does)
 * @param evalEvery validate every this many steps (200)
 * @param patience stop after this many validations without a better validation metric (5; {@code eimf train} takes
 *     the backbone's, {@link io.eimf.model.backbone.Backbones#defaults})
 * @param maxSteps hard cap on steps (100000)
 * @param metric the early-stopping metric on validation (recall@50)
 * @param seed training seed: initialisation, batches, negatives
 * @param workspace run each step in an ND4J workspace (faster; false only for debugging)
 * @param stepThreads Java threads that share the independent parts of a step (SA's hidden-layer rows, DR's users
 *     and positions), each calling BLAS with its own {@code --threads} (default: 2 where there are 2 processors)
 * @param examples how a batch's (history, target) examples are drawn: {@link TrainingData#PER_USER} (ComiRec's
 *     DataIterator, the default) or {@link TrainingData#PER_INTERACTION}
 */
public record TrainOptions(int batchSize, double learningRate, int negativesPerRow, String sampler,
                           boolean removeAccidentalHits, int evalEvery, int patience, long maxSteps, String metric,
                           long seed, boolean workspace, int stepThreads, String examples) {
    public TrainOptions {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be positive");
        if (negativesPerRow < 1) throw new IllegalArgumentException("negatives per row must be positive");
        if (evalEvery < 1) throw new IllegalArgumentException("eval-every must be positive");
        if (patience < 1) throw new IllegalArgumentException("patience must be positive");
        if (maxSteps < 1) throw new IllegalArgumentException("max steps must be positive");
        if (stepThreads < 1) throw new IllegalArgumentException("step threads must be positive");
        if (examples == null) examples = TrainingData.PER_USER;   // options recorded before the field existed
        if (!TrainingData.EXAMPLES.contains(examples)) {
            throw new IllegalArgumentException("unknown examples '" + examples + "' (" + String.join("|", TrainingData.EXAMPLES) + ")");
        }
    }

    public static TrainOptions defaults() {
        return new TrainOptions(128, 1e-3, 10, NegativeSampler.UNIFORM, true, 200, 5, 100_000, "recall@50", 1, true,
                io.eimf.model.nn.StepThreads.defaultThreads(), TrainingData.PER_USER);
    }

    public TrainOptions withSeed(long s) {
        return new TrainOptions(batchSize, learningRate, negativesPerRow, sampler, removeAccidentalHits, evalEvery,
                patience, maxSteps, metric, s, workspace, stepThreads, examples);
    }

    public TrainOptions withSchedule(int evalEvery, int patience, long maxSteps) {
        return new TrainOptions(batchSize, learningRate, negativesPerRow, sampler, removeAccidentalHits, evalEvery,
                patience, maxSteps, metric, seed, workspace, stepThreads, examples);
    }

    public TrainOptions withBatch(int batch, double lr, int negatives) {
        return new TrainOptions(batch, lr, negatives, sampler, removeAccidentalHits, evalEvery, patience, maxSteps,
                metric, seed, workspace, stepThreads, examples);
    }

    public TrainOptions withSampler(String s, boolean removeHits) {
        return new TrainOptions(batchSize, learningRate, negativesPerRow, s, removeHits, evalEvery, patience,
                maxSteps, metric, seed, workspace, stepThreads, examples);
    }

    public TrainOptions withWorkspace(boolean ws) {
        return new TrainOptions(batchSize, learningRate, negativesPerRow, sampler, removeAccidentalHits, evalEvery,
                patience, maxSteps, metric, seed, ws, stepThreads, examples);
    }

    public TrainOptions withExamples(String e) {
        return new TrainOptions(batchSize, learningRate, negativesPerRow, sampler, removeAccidentalHits, evalEvery,
                patience, maxSteps, metric, seed, workspace, stepThreads, e);
    }

    public TrainOptions withStepThreads(int n) {
        return new TrainOptions(batchSize, learningRate, negativesPerRow, sampler, removeAccidentalHits, evalEvery,
                patience, maxSteps, metric, seed, workspace, n, examples);
    }
}
