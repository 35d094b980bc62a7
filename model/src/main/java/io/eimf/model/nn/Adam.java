package io.eimf.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adam (Kingma and Ba) with PyTorch's bias correction and epsilon placement: {@code p -= lr/bc1 * m / (sqrt(v/bc2) +
 * eps)}. Dense: every row of the item table moves every step, as with PyTorch's dense nn.Embedding gradients, which
 * is what the reference numbers were produced with (see docs/METHOD.md for the measured lazy-vs-dense choice).
 */
public final class Adam {
    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private long t;

    public Adam(double lr) {
        this(lr, 0.9, 0.999, 1e-8);
    }

    public Adam(double lr, double beta1, double beta2, double eps) {
        if (!(lr > 0)) throw new IllegalArgumentException("learning rate must be positive: " + lr);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    /** Steps taken (the bias-correction counter); stored in checkpoints. */
    public long steps() {
        return t;
    }

    public void setSteps(long steps) {
        this.t = steps;
    }

    public double learningRate() {
        return lr;
    }

    /** Applies one update to every trainable parameter from its gradient; call inside the step's workspace. */
    public void step(Iterable<Param> params) {
        t++;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        for (Param p : params) {
            if (!p.trainable()) continue;
            INDArray g = p.grad();
            p.m().muli(beta1).addi(g.mul(1 - beta1));
            p.v().muli(beta2).addi(g.mul(g).muli(1 - beta2));
            INDArray denom = Transforms.sqrt(p.v().div(bc2), false).addi(eps);
            p.value().subi(p.m().div(denom).muli(lr / bc1));
        }
    }
}
