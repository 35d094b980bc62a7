package io.eimf.model.nn;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How IBIM's weights start. The two reference implementations of ComiRec differ here, and on small data the start
 * decides how far the weights travel under Adam's ~lr-sized steps (docs/METHOD.md, "Initialisation").
 */
public enum Init {
    /**
     * ComiRec's TensorFlow code: Glorot uniform for the item table, the positions and dense layers
     * ({@code tf.get_variable} and {@code tf.layers.dense} defaults), N(0, 1) for ComiRec-DR's per-position maps
     * ({@code tf.random_normal_initializer()}).
     */
    GLOROT("glorot"),
    /**
     * The PyTorch port (pytorch_ComiRec's {@code reset_parameters}): Kaiming normal on every weight, N(0, 2/fanIn)
     * with PyTorch's fan-in of the weight as PyTorch shapes it (embedding [n, d]: d; linear [out, in]: in; positions
     * [1, L, d]: L*d; DR maps [1, L, K*d, d]: L*K*d*d). Biases start at zero.
     */
    KAIMING("kaiming");

    private final String id;

    Init(String id) {
        this.id = id;
    }

    /** The name used on the command line and in config.json. */
    public String id() {
        return id;
    }

    /** The scheme named {@code id} (case-insensitive). */
    public static Init of(String id) {
        for (Init i : values()) if (i.id.equalsIgnoreCase(id)) return i;
        throw new IllegalArgumentException("unknown init '" + id + "' (" + String.join("|", ids()) + ")");
    }

    /** Every scheme's name. */
    public static String[] ids() {
        return Arrays.stream(values()).map(Init::id).toArray(String[]::new);
    }

    /** The item embedding table [rows, d]. */
    public INDArray table(DataType type, Rng rng, long rows, long dim) {
        return this == GLOROT ? Ops.glorotUniform(type, rng, rows, dim, rows, dim) : kaiming(type, rng, dim, rows, dim);
    }

    /** A dense layer's weight, stored [in, out]. */
    public INDArray dense(DataType type, Rng rng, long in, long out) {
        return this == GLOROT ? Ops.glorotUniform(type, rng, in, out, in, out) : kaiming(type, rng, in, in, out);
    }

    /** Learned position embeddings [L, d]. */
    public INDArray positions(DataType type, Rng rng, long maxLen, long dim) {
        return this == GLOROT ? Ops.glorotUniform(type, rng, maxLen, dim, maxLen, dim)
                : kaiming(type, rng, maxLen * dim, maxLen, dim);
    }

    /** ComiRec-DR's per-position bilinear maps, stored [L, d, K*d]. */
    public INDArray positionMaps(DataType type, Rng rng, long maxLen, long dim, long outDim) {
        return this == GLOROT ? Ops.normal(type, rng, 1.0, maxLen, dim, outDim)
                : kaiming(type, rng, maxLen * outDim * dim, maxLen, dim, outDim);
    }

    private static INDArray kaiming(DataType type, Rng rng, long fanIn, long... shape) {
        return Ops.normal(type, rng, Math.sqrt(2.0 / fanIn), shape);
    }
}
