package io.eimf.model.esim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.semantic.SemanticInterest;
import io.eimf.model.nn.GradCheck;
import io.eimf.model.nn.Ops;
import io.eimf.model.nn.Param;
import io.eimf.model.nn.Rng;
import io.eimf.model.train.AuxiliaryObjective;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Finite-difference checks (double precision) of both ESIM losses w.r.t. the interests and their own parameters,
 * on a batch with a user without semantic interests, users sharing an interest, and users with fewer and more
 * semantic than behavioural interests.
 */
class EsimGradientTest {
    static final int B = 5;
    static final int K = 3;
    static final int D = 4;
    static final int E = 6;

    private static SemanticBank bank(Rng rng) {
        float[][] v = new float[6][E];
        for (float[] x : v) for (int i = 0; i < E; i++) x[i] = (float) rng.nextGaussian();
        Map<Integer, List<SemanticInterest>> m = new LinkedHashMap<>();
        m.put(10, List.of(si("a", v[0]), si("b", v[1])));                                   // J < K
        m.put(11, List.of(si("a", v[0]), si("c", v[2]), si("d", v[3]), si("e", v[4])));     // J > K, shares "a"
        m.put(12, List.of(si("f", v[5]), si("c", v[2]), si("b", v[1])));                    // J = K
        m.put(99, List.of(si("g", v[4])));                                                   // not in the batch
        return SemanticBank.of(m, E, DataType.DOUBLE);
    }

    private static SemanticInterest si(String name, float[] e) {
        return new SemanticInterest(name, "", new int[0], e);
    }

    private static AuxiliaryObjective.Step step(INDArray interests, INDArray dI) {
        int[] users = {10, 7, 11, 12, 3};                          // 7 and 3 have no semantic interests
        return new AuxiliaryObjective.Step(1, users, new int[B], new int[B], interests, dI, null, null);
    }

    @Test
    void alignmentGradients() {
        Rng rng = new Rng(3);
        SemanticBank bank = bank(rng);
        ModalityAlignment obj = new ModalityAlignment(bank, D, 0.7, 0.5, DataType.DOUBLE, rng);
        check(obj, obj::loss, rng);
    }

    @Test
    void predictionGradients() {
        Rng rng = new Rng(4);
        SemanticBank bank = bank(rng);
        SemanticPrediction obj = new SemanticPrediction(bank, D, 0.7, DataType.DOUBLE, rng);
        check(obj, obj::loss, rng);
    }

    private static void check(AuxiliaryObjective obj, java.util.function.ToDoubleFunction<AuxiliaryObjective.Step> loss,
                              Rng rng) {
        INDArray interests = Ops.normal(DataType.DOUBLE, rng, 1.0, B, K, D);
        INDArray dI = Nd4j.zeros(DataType.DOUBLE, B, K, D);
        double value = obj.lossAndGradient(step(interests, dI));
        assertTrue(value > 0, obj.name() + " loss " + value);
        DoubleSupplier f = () -> loss.applyAsDouble(step(interests, Nd4j.zeros(DataType.DOUBLE, B, K, D)));
        assertEquals(value, f.getAsDouble(), 1e-12, "loss() and lossAndGradient() agree");
        GradCheck.check(obj.name() + " d interests", interests, dI, f, 30, rng);
        // rows without semantic interests get exactly no gradient
        assertEquals(0.0, dI.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1)).norm2Number().doubleValue(), 0.0);
        assertEquals(0.0, dI.get(org.nd4j.linalg.indexing.NDArrayIndex.point(4)).norm2Number().doubleValue(), 0.0);
        for (Param p : obj.params().all()) {
            assertTrue(p.grad().norm2Number().doubleValue() > 0, p.name() + " has a gradient");
            GradCheck.check(obj.name() + " d" + p.name(), p.value(), p.grad(), f, 24, rng);
        }
    }
}
