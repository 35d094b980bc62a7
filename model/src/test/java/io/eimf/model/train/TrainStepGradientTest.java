package io.eimf.model.train;

import io.eimf.core.synth.SyntheticData;
import io.eimf.model.backbone.Backbones;
import io.eimf.model.backbone.HistoryAlignment;
import io.eimf.model.ibim.IbimConfig;
import io.eimf.model.ibim.IbimModel;
import io.eimf.model.nn.GradCheck;
import io.eimf.model.nn.Param;
import io.eimf.model.nn.Rng;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Finite-difference check of a whole training step (lookup, backbone, hard readout, sampled softmax with
 * accidental-hit removal, scatter of embedding gradients) in double precision, for every backbone and both samplers.
 */
class TrainStepGradientTest {
    @TempDir
    Path tmp;

    /** DR and MIND stop the gradient through routing: hold their coupling weights fixed for the check. */
    static void freezeRouting(IbimModel model, TrainingData.Batch batch) throws Exception {
        var bb = model.backbone();
        if (bb.name().equals("comirec-sa")) return;
        var x = io.eimf.model.nn.Ops.gatherRows(model.itemEmbeddings().value(), batch.history().ids());
        var act = bb.forward(x, batch.history());
        var w = act.getClass().getDeclaredMethod("weight");
        w.setAccessible(true);
        var f = bb.getClass().getDeclaredField("frozenRouting");
        f.setAccessible(true);
        f.set(bb, ((org.nd4j.linalg.api.ndarray.INDArray) w.invoke(act)).dup());
    }

    /**
     * A toy auxiliary objective using every part of the extension point: loss = c * sum_b,k (h_bk . a)^2 +
     * c * sum_b e_{y_b} . a, with its own parameter a.
     */
    static final class ToyObjective implements AuxiliaryObjective {
        final io.eimf.model.nn.ParamSet params = new io.eimf.model.nn.ParamSet();
        final Param a;
        static final double C = 0.3;

        ToyObjective(int d) {
            a = params.add(new Param("toy.a", io.eimf.model.nn.Ops.normal(DataType.DOUBLE, new Rng(8), 1, d, 1), true));
        }

        @Override
        public String name() {
            return "toy";
        }

        @Override
        public io.eimf.model.nn.ParamSet params() {
            return params;
        }

        @Override
        public double lossAndGradient(Step s) {
            long b = s.interests().size(0);
            long k = s.interests().size(1);
            long d = s.interests().size(2);
            var h = s.interests().reshape(b * k, d);
            var ha = h.mmul(a.value());                                   // [B*K, 1]
            var et = io.eimf.model.nn.Ops.gatherRows(s.itemEmbeddings(), s.targets());
            double loss = C * ha.mul(ha).sumNumber().doubleValue() + C * et.mmul(a.value()).sumNumber().doubleValue();
            s.dInterests().addi(ha.mmul(a.value().transpose()).muli(2 * C).reshape(b, k, d));
            a.grad().addi(h.transpose().mmul(ha).muli(2 * C)).addi(et.sum(true, 0).transpose().muli(C));
            var rows = org.nd4j.linalg.factory.Nd4j.ones(DataType.DOUBLE, b, 1).mmul(a.value().transpose()).muli(C);
            io.eimf.model.nn.Ops.scatterAddRows(s.dItemEmbeddings(), s.targets(), rows);
            return loss;
        }
    }

    @Test
    void auxiliaryObjectiveGradientsFlowThroughTheStep() throws Exception {
        var ds = SynthFixture.write(tmp.resolve("a"), SyntheticData.Config.defaults().withUsers(40).withCatalogue(4, 6)
                .withLengths(6, 12));
        TrainingData data = TrainingData.of(ds);
        IbimModel model = new IbimModel(new IbimConfig("comirec-sa", 5, 3, 6, ds.numItems(), 0.3), DataType.DOUBLE, 7);
        ToyObjective toy = new ToyObjective(5);
        Trainer t = new Trainer(model, data, TrainOptions.defaults().withBatch(4, 1e-3, 3).withWorkspace(false))
                .addAuxiliary(toy);
        Rng rng = new Rng(6);
        TrainingData.Batch batch = data.sample(rng, 4, 6, HistoryAlignment.LEFT, TrainingData.PER_USER);
        int[] negs = NegativeSampler.uniform(ds.numItems()).sample(rng, 12);
        var aux = new HashMap<String, Double>();
        t.computeGradients(batch, negs, aux);
        org.junit.jupiter.api.Assertions.assertTrue(aux.containsKey("toy"));
        var grads = new HashMap<String, org.nd4j.linalg.api.ndarray.INDArray>();
        java.util.List<Param> all = new java.util.ArrayList<>(model.params().all());
        all.add(toy.a);
        for (Param p : all) grads.put(p.name(), p.grad().dup());
        DoubleSupplier loss = () -> t.computeGradients(batch, negs, new HashMap<>());
        for (Param p : all) GradCheck.check("aux/" + p.name(), p.value(), grads.get(p.name()), loss, 25, rng);
    }

    @Test
    void wholeStepGradientsMatchFiniteDifferences() throws Exception {
        var ds = SynthFixture.write(tmp.resolve("d"), SyntheticData.Config.defaults().withUsers(40).withCatalogue(4, 6)
                .withLengths(6, 12));
        TrainingData data = TrainingData.of(ds);
        for (String sampler : new String[] {"uniform", "log-uniform"}) {
            for (String name : Backbones.NAMES) {
                IbimModel model = new IbimModel(new IbimConfig(name, 5, 3, 6, ds.numItems(), 0.3), DataType.DOUBLE, 7);
                TrainOptions o = TrainOptions.defaults().withBatch(4, 1e-3, 3).withSampler(sampler, true).withWorkspace(false);
                Trainer t = new Trainer(model, data, o);
                Rng rng = new Rng(5);
                TrainingData.Batch batch = data.sample(rng, 4, 6, HistoryAlignment.LEFT, TrainingData.PER_USER);
                int[] negs = NegativeSampler.create(sampler, data.counts()).sample(rng, 12);
                negs[0] = batch.targets()[0]; // an accidental hit must be masked, not break the gradient
                model.params().zeroGrads();
                freezeRouting(model, batch);
                t.computeGradients(batch, negs, new HashMap<>());
                DoubleSupplier loss = () -> {
                    double v = t.computeGradients(batch, negs, new HashMap<>());
                    return v;
                };
                // snapshot analytic grads before the loss closure accumulates more
                var grads = new HashMap<String, org.nd4j.linalg.api.ndarray.INDArray>();
                for (Param p : model.params().all()) if (p.trainable()) grads.put(p.name(), p.grad().dup());
                for (Param p : model.params().all()) {
                    if (!p.trainable()) continue;
                    GradCheck.check(sampler + "/" + name + " d" + p.name(), p.value(), grads.get(p.name()), loss, 25, rng);
                }
            }
        }
    }
}
