package io.eimf.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

class OpsTest {
    @Test
    void scatterAddIsCorrectWithRepeatedIndices() {
        INDArray target = Nd4j.zeros(DataType.DOUBLE, 5, 3);
        int[] ids = {1, 3, 1, 1, 4, 3};
        INDArray rows = Nd4j.rand(DataType.DOUBLE, 6, 3);
        Ops.scatterAddRows(target, ids, rows);
        double[][] expected = new double[5][3];
        for (int i = 0; i < ids.length; i++) for (int j = 0; j < 3; j++) expected[ids[i]][j] += rows.getDouble(i, j);
        for (int r = 0; r < 5; r++) assertArrayEquals(expected[r], target.getRow(r).toDoubleVector(), 1e-12);
    }

    @Test
    void floatScatterAddMatchesSequentialSums() {
        // both host paths: the whole-table copy (many ids, small table) and row by row (few ids, big table)
        for (int rowsInTable : new int[] {5, 200}) {
            INDArray target = Nd4j.rand(DataType.FLOAT, rowsInTable, 3);
            INDArray before = target.dup();
            int[] ids = {1, 3, 1, 1, 4, 3, 0};
            INDArray rows = Nd4j.rand(DataType.FLOAT, 7, 3);
            Ops.scatterAddRows(target, ids, rows);
            float[][] expected = before.toFloatMatrix();
            for (int i = 0; i < ids.length; i++) for (int j = 0; j < 3; j++) expected[ids[i]][j] += rows.getFloat(i, j);
            for (int r = 0; r < rowsInTable; r++) assertArrayEquals(expected[r], target.getRow(r).toFloatVector(), 0f);
        }
    }

    @Test
    void tanhViaSigmoidMatchesTanh() {
        INDArray x = Nd4j.linspace(DataType.DOUBLE, -6, 6, 101);
        INDArray expected = Transforms.tanh(x, true);
        assertArrayEquals(expected.toDoubleVector(), Ops.tanhInPlace(x.dup()).toDoubleVector(), 1e-12);
    }

    @Test
    void squashGradientMatchesFiniteDifferences() {
        Rng rng = new Rng(3);
        INDArray z = Ops.normal(DataType.DOUBLE, rng, 0.7, 6, 5);
        z.getRow(2).assign(0); // the n=0 corner must stay finite
        INDArray g = Ops.normal(DataType.DOUBLE, rng, 1, 6, 5);
        INDArray[] f = Ops.squashRows(z);
        INDArray dz = Ops.squashBackwardRows(z, f[1], f[2], g);
        GradCheck.check("squash", z, dz, () -> Ops.squashRows(z)[0].mul(g).sumNumber().doubleValue(), 30, rng);
        // |squash(z)| = n/(1+n) < 1
        INDArray norms = Ops.squashRows(z)[0].norm2(1);
        for (double v : norms.toDoubleVector()) assertEquals(true, v < 1);
    }

    @Test
    void softmaxBackwardMatchesFiniteDifferences() {
        Rng rng = new Rng(4);
        INDArray x = Ops.normal(DataType.DOUBLE, rng, 1, 4, 7);
        INDArray g = Ops.normal(DataType.DOUBLE, rng, 1, 4, 7);
        INDArray y = Ops.softmax(x, 1);
        INDArray dx = Ops.softmaxBackwardRows(y, g);
        GradCheck.check("softmax", x, dx, () -> Ops.softmax(x, 1).mul(g).sumNumber().doubleValue(), 28, rng);
    }

    @Test
    void linearGradientsMatchFiniteDifferences() {
        Rng rng = new Rng(5);
        ParamSet ps = new ParamSet();
        Linear lin = new Linear("l", 5, 3, true, DataType.DOUBLE, rng, ps);
        INDArray x = Ops.normal(DataType.DOUBLE, rng, 1, 4, 5);
        INDArray g = Ops.normal(DataType.DOUBLE, rng, 1, 4, 3);
        INDArray dx = lin.backward(x, g);
        java.util.function.DoubleSupplier loss = () -> lin.forward(x).mul(g).sumNumber().doubleValue();
        GradCheck.check("linear dx", x, dx, loss, 20, rng);
        GradCheck.check("linear dW", ps.get("l.W").value(), ps.get("l.W").grad(), loss, 15, rng);
        GradCheck.check("linear db", ps.get("l.b").value(), ps.get("l.b").grad(), loss, 3, rng);
    }

    @Test
    void rngStateRoundTrips() {
        Rng a = new Rng(9);
        a.nextInt(10);
        Rng b = new Rng(0);
        b.setState(a.state());
        for (int i = 0; i < 100; i++) assertEquals(a.nextLong(), b.nextLong());
    }
}
