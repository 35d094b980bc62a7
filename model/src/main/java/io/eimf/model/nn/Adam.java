package io.eimf.model.nn;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

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
        step(params, StepThreads.SINGLE);
    }

    /**
     * As {@link #step(Iterable)}, with each large parameter cut into element ranges on the step threads (the update
     * is elementwise, so the result is the same bits however it is cut). Small parameters go whole to the first part.
     */
    public void step(Iterable<Param> params, StepThreads threads) {
        t++;
        int parts = threads.threads();
        List<List<INDArray[]>> work = new ArrayList<>();
        for (int p = 0; p < parts; p++) work.add(new ArrayList<>());
        for (Param p : params) {
            if (!p.trainable()) continue;
            long n = p.value().length();
            int cut = n >= SPLIT_AT && flat(p) ? parts : 1;
            INDArray[] whole = {p.grad(), p.v(), p.m(), p.value()};
            for (int q = 0; q < cut; q++) {
                if (cut == 1) {
                    work.get(0).add(whole);
                    continue;
                }
                var range = NDArrayIndex.interval(StepThreads.start(n, cut, q), StepThreads.start(n, cut, q + 1));
                INDArray[] v = new INDArray[4];
                for (int i = 0; i < 4; i++) v[i] = whole[i].reshape(n).get(range);
                work.get(q).add(v);
            }
        }
        // ops built here so the step threads only execute them
        List<List<AdamUpdater>> ops = new ArrayList<>();
        for (List<INDArray[]> w : work) {
            List<AdamUpdater> o = new ArrayList<>();
            for (INDArray[] a : w) o.add(new AdamUpdater(a[0], a[1], a[2], a[0], a[1], a[2], lr, beta1, beta2, eps, (int) (t - 1)));
            ops.add(o);
        }
        threads.run(parts, q -> {
            List<INDArray[]> w = work.get(q);
            for (int i = 0; i < w.size(); i++) {
                // in place: the gradient buffer receives the update, v and m are updated where they are
                Nd4j.exec(ops.get(q).get(i));
                w.get(i)[3].subi(w.get(i)[0]);
            }
        });
    }

    /** Parameters at least this large are cut across the step threads. */
    private static final long SPLIT_AT = 1 << 15;

    /** Whether value, gradient and moments are plain row-major buffers that a flat range view addresses. */
    private static boolean flat(Param p) {
        for (INDArray a : new INDArray[] {p.value(), p.grad(), p.v(), p.m()}) {
            if (a.ordering() != 'c' || a.isView() || a.elementWiseStride() != 1) return false;
        }
        return true;
    }
}
