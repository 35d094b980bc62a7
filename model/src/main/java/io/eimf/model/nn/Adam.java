package io.eimf.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adam (Kingma and Ba) through libnd4j's fused {@code adam_updater} op (one native call per parameter instead of
 * ten): {@code p -= lr * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps)}, TensorFlow's epsilon placement. Dense: every
 * row of the item table moves every step, as with PyTorch's dense nn.Embedding gradients that the reference
 * numbers were produced with (see docs/METHOD.md).
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

    /** Applies one update (the gradients are overwritten with the updates) to every trainable parameter from its gradient; call inside the step's workspace. */
    public void step(Iterable<Param> params) {
        t++;
        for (Param p : params) {
            if (!p.trainable()) continue;
            INDArray g = p.grad();
            // in place: the gradient buffer receives the update, v and m are updated where they are
            Nd4j.exec(new AdamUpdater(g, p.v(), p.m(), g, p.v(), p.m(), lr, beta1, beta2, eps, (int) (t - 1)));
            p.value().subi(g);
        }
    }
}
