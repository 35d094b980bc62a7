package io.eimf.model.train;

import io.eimf.core.cli.EimfException;
import io.eimf.model.backbone.MultiInterestBackbone;
import io.eimf.model.eval.Evaluator;
import io.eimf.model.ibim.IbimModel;
import io.eimf.model.nn.Adam;
import io.eimf.model.nn.Ops;
import io.eimf.model.nn.Param;
import io.eimf.model.nn.Rng;
import io.eimf.model.nn.StepThreads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains an {@link IbimModel}: ComiRec batches, hard-argmax readout, sampled softmax, optional
 * {@link AuxiliaryObjective}s, Adam; validation every {@code evalEvery} steps with early stopping on the validation
 * metric; the best weights are restored and tested at the end. With a checkpoint directory, the full state
 * (weights, Adam moments and step count, RNG state, early-stopping state, best weights) is written atomically after
 * every validation, and {@link #resume()} continues bit-for-bit: a resumed run ends with the same metrics as an
 * uninterrupted one with the same seed (on the same backend, BLAS thread count and step thread count).
 */
public final class Trainer implements AutoCloseable {
    private static final WorkspaceConfiguration STEP_WS = WorkspaceConfiguration.builder()
            .policyAllocation(AllocationPolicy.OVERALLOCATE).overallocationLimit(0.2)
            .policyLearning(LearningPolicy.FIRST_LOOP).policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE).build();
    private static final int[] CUTOFFS = {20, 50};

    private final IbimModel model;
    private final TrainingData data;
    private final TrainOptions options;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final List<AuxiliaryObjective> auxiliaries = new ArrayList<>();
    private final SampledSoftmax loss;
    private final NegativeSampler sampler;
    private final Adam adam;
    private final Rng rng;
    private final Evaluator evaluator = new Evaluator();
    private Path checkpointDir;
    private Map<String, String> runIdentity;
    private final StepThreads threads;

    // early-stopping state (checkpointed)
    private long step;
    private double bestValue = Double.NEGATIVE_INFINITY;
    private long bestStep;
    private int evalsSinceBest;
    private final List<TrainResult.Validation> validations = new ArrayList<>();
    private Map<String, INDArray> bestWeights;

    /** Required parts; listeners, auxiliary objectives and the checkpoint directory are set fluently. */
    public Trainer(IbimModel model, TrainingData data, TrainOptions options) {
        if (model.config().numItems() != data.numItems()) {
            throw new EimfException("model has " + model.config().numItems() + " items, data has " + data.numItems());
        }
        this.model = model;
        this.data = data;
        this.options = options;
        this.loss = new SampledSoftmax(options.removeAccidentalHits());
        this.sampler = NegativeSampler.create(options.sampler(), data.counts());
        this.adam = new Adam(options.learningRate());
        this.rng = new Rng(options.seed()).fork(0x7a17);
        this.threads = new StepThreads(options.stepThreads());
        this.loss.useThreads(threads);
    }

    /** Ends the step threads (they are daemons and also end after a minute idle). */
    @Override
    public void close() {
        threads.close();
    }

    public Trainer addListener(TrainingListener l) {
        listeners.add(l);
        return this;
    }

    public Trainer addAuxiliary(AuxiliaryObjective objective) {
        auxiliaries.add(objective);
        return this;
    }

    /** Where checkpoints go (written after every validation); null disables them. */
    public Trainer checkpointDir(Path dir) {
        this.checkpointDir = dir;
        return this;
    }

    /**
     * What this run was started with, stored in every checkpoint ({@link ResumeCheck}) so that a resume can refuse
     * other options or data; null stores nothing.
     */
    public Trainer runIdentity(Map<String, String> identity) {
        this.runIdentity = identity == null ? null : Map.copyOf(identity);
        return this;
    }

    public IbimModel model() {
        return model;
    }

    public TrainOptions options() {
        return options;
    }

    /** Steps taken so far. */
    public long step() {
        return step;
    }

    private List<Param> allParams() {
        List<Param> all = new ArrayList<>(model.params().all());
        for (AuxiliaryObjective a : auxiliaries) all.addAll(a.params().all());
        return all;
    }

    /** Trains from the current state until early stopping or maxSteps; restores the best weights; tests. */
    public TrainResult fit() throws IOException {
        long t0 = System.nanoTime();
        for (TrainingListener l : listeners) l.onTrainingBegin(this, step, options.maxSteps());
        boolean stopped = false;
        while (step < options.maxSteps()) {
            double lossValue = trainStep();
            if (!Double.isFinite(lossValue)) {
                throw new EimfException("training diverged at step " + step + " (loss " + lossValue + "); lower --lr");
            }
            if (step % options.evalEvery() == 0 || step == options.maxSteps()) {
                if (validate()) {
                    stopped = true;
                }
                writeCheckpoint();
                if (stopped) break;
            }
        }
        if (bestWeights != null) model.params().restore(bestWeights);
        Map<String, Double> test = data.test().isEmpty() ? Map.of() : evaluator.evaluate(model, data.test(), CUTOFFS);
        Map<String, Double> bestValid = validations.stream().filter(v -> v.step() == bestStep)
                .map(TrainResult.Validation::metrics).findFirst().orElse(Map.of());
        TrainResult r = new TrainResult(step, bestStep, bestValid, test, List.copyOf(validations), stopped,
                (System.nanoTime() - t0) / 1e9);
        for (TrainingListener l : listeners) l.onTrainingEnd(this, r);
        return r;
    }

    /** Loads the checkpoint from the checkpoint directory, then {@link #fit()}s. */
    public TrainResult resume() throws IOException {
        if (checkpointDir != null) io.eimf.core.io.AtomicOutput.recover(checkpointDir); // a replace cut by a kill
        if (checkpointDir == null || !Files.isDirectory(checkpointDir)) {
            throw new EimfException("no checkpoint to resume from at " + checkpointDir);
        }
        Checkpoint.State s = Checkpoint.read(checkpointDir, allParams(), model, auxiliaries);
        step = s.step();
        rng.setState(s.rngState());
        adam.setSteps(s.adamSteps());
        bestValue = s.bestValue();
        bestStep = s.bestStep();
        evalsSinceBest = s.evalsSinceBest();
        validations.clear();
        validations.addAll(s.validations());
        bestWeights = s.bestWeights();
        return fit();
    }

    /** Validates; returns true when patience has run out. */
    private boolean validate() {
        Map<String, Double> m = data.valid().isEmpty() ? Map.of() : evaluator.evaluate(model, data.valid(), CUTOFFS);
        Double v = m.get(options.metric());
        if (v == null) throw new EimfException("validation has no metric '" + options.metric() + "' (no valid users?)");
        validations.add(new TrainResult.Validation(step, m));
        boolean improved = v > bestValue;
        if (improved) {
            bestValue = v;
            bestStep = step;
            evalsSinceBest = 0;
            bestWeights = model.params().snapshot();
        } else {
            evalsSinceBest++;
        }
        for (TrainingListener l : listeners) l.onValidation(this, step, m, improved);
        return evalsSinceBest >= options.patience();
    }

    private void writeCheckpoint() throws IOException {
        if (checkpointDir == null) return;
        Checkpoint.write(checkpointDir, new Checkpoint.State(step, rng.state(), adam.steps(), bestValue, bestStep,
                evalsSinceBest, List.copyOf(validations), bestWeights), allParams(), model, auxiliaries, runIdentity);
        for (TrainingListener l : listeners) l.onCheckpoint(this, step);
    }

    /** Runs one training step and returns its total loss. */
    public double trainStep() {
        TrainingData.Batch batch = data.sample(rng, options.batchSize(), model.config().maxLen(),
                model.config().alignment(), options.examples());
        int[] negatives = sampler.sample(rng, options.negativesPerRow() * options.batchSize());
        step++;
        Map<String, Double> aux = auxiliaries.isEmpty() ? Map.of() : new LinkedHashMap<>();
        double total;
        if (options.workspace()) {
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP_WS, "EIMF_TRAIN_STEP")) {
                total = forwardBackwardUpdate(batch, negatives, aux);
            }
        } else {
            total = forwardBackwardUpdate(batch, negatives, aux);
        }
        for (TrainingListener l : listeners) l.onStep(this, step, total, aux);
        return total;
    }

    private double forwardBackwardUpdate(TrainingData.Batch batch, int[] negatives, Map<String, Double> aux) {
        double total = computeGradients(batch, negatives, aux);
        List<Param> params = allParams();
        adam.step(params, threads);
        for (Param p : params) if (p.trainable()) p.grad().assign(0);
        return total;
    }

    /**
     * Forward and backward for one batch: accumulates every gradient, returns the total loss. Package-visible for
     * the finite-difference test of the whole step.
     */
    double computeGradients(TrainingData.Batch batch, int[] negatives, Map<String, Double> aux) {
        // the step threads serve this step only: evaluation and inference keep the calling thread
        model.backbone().useThreads(threads);
        try {
            return gradients(batch, negatives, aux);
        } finally {
            model.backbone().useThreads(null);
        }
    }

    private double gradients(TrainingData.Batch batch, int[] negatives, Map<String, Double> aux) {
        MultiInterestBackbone backbone = model.backbone();
        Param items = model.itemEmbeddings();
        INDArray table = items.value();
        int b = batch.targets().length;
        int k = backbone.interests();
        int d = model.config().dim();
        int[] histIds = batch.history().ids();
        INDArray x = Ops.gatherRows(table, histIds);
        MultiInterestBackbone.Activations act = backbone.forward(x, batch.history());
        INDArray interests = act.interests();                                     // [B, K, d]
        INDArray et = Ops.gatherRows(table, batch.targets());                     // [B, d]
        INDArray en = Ops.gatherRows(table, negatives);                           // [S, d]
        // hard readout: the interest closest to the target (no gradient through the choice)
        INDArray scores = Nd4j.matmul(interests, et.reshape(b, d, 1)).reshape(b, k);
        int[] chosen = scores.argMax(1).toIntVector();
        int[] rows = new int[b];
        for (int i = 0; i < b; i++) rows[i] = i * k + chosen[i];
        INDArray user = Ops.gatherRows(interests.reshape((long) b * k, d), rows);  // [B, d]
        SampledSoftmax.Result r = loss.compute(user, et, en, batch.targets(), negatives, sampler.logQ());
        INDArray dFlat = Nd4j.zeros(table.dataType(), (long) b * k, d);
        Ops.scatterAddRows(dFlat, rows, r.dUser());
        INDArray dInterests = dFlat.reshape(b, k, d);
        double total = r.loss();
        if (!auxiliaries.isEmpty()) {
            AuxiliaryObjective.Step s = new AuxiliaryObjective.Step(step, batch.users(), batch.targets(), chosen,
                    interests, dInterests, table, items.grad());
            for (AuxiliaryObjective a : auxiliaries) {
                double v = a.lossAndGradient(s);
                aux.put(a.name(), v);
                total += v;
            }
        }
        INDArray dx = backbone.backward(act, dInterests);
        // history, target and negative rows in this order (no vstack copy)
        Ops.scatterAddRows(items.grad(), histIds, dx);
        Ops.scatterAddRows(items.grad(), batch.targets(), r.dTarget());
        Ops.scatterAddRows(items.grad(), negatives, r.dNegative());
        items.grad().getRow(0).assign(0);                                         // padding is never trained
        return total;
    }
}
