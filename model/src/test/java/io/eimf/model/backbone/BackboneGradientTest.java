package io.eimf.model.backbone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.eimf.model.nn.GradCheck;
import io.eimf.model.nn.Ops;
import io.eimf.model.nn.Param;
import io.eimf.model.nn.Rng;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Finite-difference checks of every backbone's backward pass, in double precision, with padded histories. */
class BackboneGradientTest {
    static final int B = 3;
    static final int L = 5;
    static final int D = 4;
    static final int K = 3;

    static INDArray routing(MultiInterestBackbone.Activations act) {
        try {
            var f = act.getClass().getDeclaredMethod("weight");
            f.setAccessible(true);
            return ((INDArray) f.invoke(act)).dup();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest
    @CsvSource({"comirec-sa, left", "comirec-dr, left", "mind, left", "comirec-sa, right", "comirec-dr, right",
            "mind, right"})
    void gradientsMatchFiniteDifferences(String name, String align) {
        Rng rng = new Rng(11);
        MultiInterestBackbone bb = Backbones.create(name, D, K, L, DataType.DOUBLE, rng);
        HistoryBatch batch = HistoryBatch.of(new int[][] {{1, 2, 3, 4, 5}, {2, 3}, {7}}, L, HistoryAlignment.of(align));
        INDArray x = Ops.normal(DataType.DOUBLE, rng, 0.5, (long) B * L, D);
        INDArray g = Ops.normal(DataType.DOUBLE, rng, 1, B, K, D);
        MultiInterestBackbone.Activations act = bb.forward(x, batch);
        assertArrayEquals(new long[] {B, K, D}, act.interests().shape());
        INDArray dx = bb.backward(act, g);
        // Routing backbones stop the gradient through the coupling weights: check against that function.
        if (bb instanceof ComiRecDR dr) dr.frozenRouting = routing(act);
        if (bb instanceof Mind m) m.frozenRouting = routing(act);
        DoubleSupplier loss = () -> bb.forward(x, batch).interests().mul(g).sumNumber().doubleValue();
        GradCheck.check(name + " d history", x, dx, loss, 60, rng);
        for (Param p : bb.params().all()) {
            if (p.trainable()) GradCheck.check(name + " d" + p.name(), p.value(), p.grad(), loss, 40, rng);
        }
        // without the freeze, the full derivative differs: the stop-gradient really removes a path
        // padded positions influence nothing: their gradient is exactly zero
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < L; t++) {
                if (t >= batch.start(b) && t < batch.start(b) + batch.length(b)) continue;
                assertEquals(0.0, dx.getRow((long) b * L + t).norm2Number().doubleValue(), 0.0, name + " padding grad");
            }
        }
    }
}
