package io.eimf.model.ibim;

import io.eimf.model.backbone.Backbones;

/**
 * The shape of an IBIM model; everything needed to rebuild it before loading weights.
 *
 * @param backbone comirec-sa, comirec-dr or mind
 * @param dim embedding and interest size d (default 64)
 * @param interests K, interests per user (default 4)
 * @param maxLen most recent history items the model reads (default 20)
 * @param numItems catalogue size; dense item ids are 1..numItems, 0 is padding
 * @param initStd item-embedding initialisation: 0 for Glorot uniform (TensorFlow's default, the reference), else
 *     N(0, initStd)
 */
public record IbimConfig(String backbone, int dim, int interests, int maxLen, int numItems, double initStd) {
    public IbimConfig {
        if (!Backbones.NAMES.contains(backbone)) {
            throw new IllegalArgumentException("unknown backbone '" + backbone + "' (" + String.join("|", Backbones.NAMES) + ")");
        }
        if (dim < 1 || interests < 1 || maxLen < 1 || numItems < 1) {
            throw new IllegalArgumentException("dim, interests, maxLen and numItems must be positive");
        }
        if (initStd < 0) throw new IllegalArgumentException("initStd must be >= 0");
    }

    /** The defaults: d=64, K=4, max length 20, Glorot-uniform item embeddings. */
    public static IbimConfig defaults(String backbone, int numItems) {
        return new IbimConfig(backbone, 64, 4, 20, numItems, 0);
    }
}
