package io.eimf.model.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A dense layer {@code y = x W (+ b)} on 2-D inputs, with an explicit backward pass that accumulates grads. */
public final class Linear {
    private final Param w;
    private final Param b;

    /** Glorot-uniform weights, zero bias (TensorFlow's dense-layer defaults, which ComiRec used). */
    public Linear(String name, int in, int out, boolean bias, DataType type, Rng rng, ParamSet into) {
        this(name, in, out, bias, Init.GLOROT, type, rng, into);
    }

    /** Weights as {@code init} starts dense layers, zero bias. */
    public Linear(String name, int in, int out, boolean bias, Init init, DataType type, Rng rng, ParamSet into) {
        this.w = into.add(new Param(name + ".W", init.dense(type, rng, in, out), true));
        this.b = bias ? into.add(new Param(name + ".b", Nd4j.zeros(type, 1, out), true)) : null;
    }

    public INDArray forward(INDArray x) {
        INDArray y = x.mmul(w.value());
        return b == null ? y : y.addiRowVector(b.value());
    }

    /**
     * Accumulates dW (and db) and returns dx. The transposes go to BLAS as flags: {@code dy.mmul(W.transpose())}
     * copied and ran ~4x slower for SA's [6400, 4] x [4, 256].
     */
    public INDArray backward(INDArray x, INDArray dy) {
        w.grad().addi(Nd4j.gemm(x, dy, true, false));
        if (b != null) b.grad().addi(dy.sum(true, 0));
        return Nd4j.gemm(dy, w.value(), false, true);
    }

    public Param weight() {
        return w;
    }

    /** The bias, or null. */
    public Param bias() {
        return b;
    }
}
