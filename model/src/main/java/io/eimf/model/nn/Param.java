package io.eimf.model.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A named parameter: its value, its gradient accumulator and its Adam moments. All four arrays are created outside
 * any workspace and live as long as the model; a training step only writes into them in place.
 */
public final class Param {
    private final String name;
    private final INDArray value;
    private final INDArray grad;
    private final INDArray m;
    private final INDArray v;
    private final boolean trainable;

    /** Wraps {@code value} (detached from any workspace); {@code trainable=false} marks fixed buffers. */
    public Param(String name, INDArray value, boolean trainable) {
        this.name = name;
        try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            this.value = value.isAttached() ? value.detach() : value;
            this.grad = trainable ? Nd4j.zeros(value.dataType(), value.shape()) : null;
            this.m = trainable ? Nd4j.zeros(value.dataType(), value.shape()) : null;
            this.v = trainable ? Nd4j.zeros(value.dataType(), value.shape()) : null;
        }
        this.trainable = trainable;
    }

    public String name() {
        return name;
    }

    public INDArray value() {
        return value;
    }

    /** The gradient accumulator (null for fixed buffers); backward passes add into it. */
    public INDArray grad() {
        return grad;
    }

    /** Adam's first moment. */
    public INDArray m() {
        return m;
    }

    /** Adam's second moment. */
    public INDArray v() {
        return v;
    }

    public boolean trainable() {
        return trainable;
    }

    public DataType dataType() {
        return value.dataType();
    }

    public long[] shape() {
        return value.shape();
    }
}
