package io.eimf.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class AdamTest {
    /** The fused op must follow Adam's equations (TensorFlow epsilon placement) over several steps. */
    @Test
    void matchesTheEquations() {
        Rng rng = new Rng(2);
        INDArray init = Ops.normal(DataType.DOUBLE, rng, 1, 3, 4);
        Param p = new Param("p", init.dup(), true);
        Adam adam = new Adam(0.01, 0.9, 0.999, 1e-8);
        double[] w = init.dup().reshape(12).toDoubleVector();
        double[] m = new double[12];
        double[] v = new double[12];
        for (int t = 1; t <= 5; t++) {
            INDArray g = Ops.normal(DataType.DOUBLE, rng, 1, 3, 4);
            double[] gv = g.reshape(12).toDoubleVector();
            p.grad().assign(g);
            adam.step(java.util.List.of(p));
            double a = 0.01 * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
            for (int i = 0; i < 12; i++) {
                m[i] = 0.9 * m[i] + 0.1 * gv[i];
                v[i] = 0.999 * v[i] + 0.001 * gv[i] * gv[i];
                w[i] -= a * m[i] / (Math.sqrt(v[i]) + 1e-8);
            }
            assertArrayEquals(w, p.value().reshape(12).toDoubleVector(), 1e-9, "step " + t);
        }
        Nd4j.getExecutioner().commit();
    }
}
