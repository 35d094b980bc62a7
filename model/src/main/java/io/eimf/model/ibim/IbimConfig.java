package io.eimf.model.ibim;

import io.eimf.model.backbone.Backbones;
import io.eimf.model.backbone.HistoryAlignment;
import io.eimf.model.nn.Init;

/**
 * The shape of an IBIM model; everything needed to rebuild it before loading weights.
 *
 * @param backbone comirec-sa, comirec-dr or mind
 * @param dim embedding and interest size d (default 64)
 * @param interests K, interests per user (default 4)
 * @param maxLen most recent history items the model reads (default 20)
 * @param numItems catalogue size; dense item ids are 1..numItems, 0 is padding
 * @param init how every weight starts: {@link Init#id()} of glorot (ComiRec's TensorFlow code, the default) or
 *     kaiming (its PyTorch port); absent in configs written before it existed, which mean glorot
 * @param initStd when positive, the item table starts N(0, initStd) instead of as {@code init} says
 * @param align {@link HistoryAlignment#id()} of where short histories sit in the padded row: left (ComiRec's layout)
 *     or right (the last position is always the most recent item); absent in configs written before it existed,
 *     which mean left
 */
public record IbimConfig(String backbone, int dim, int interests, int maxLen, int numItems, String init, double initStd,
                         String align) {
    /** Largest embedding size accepted. */
    public static final int MAX_DIM = 1 << 16;
    /** Largest K accepted. */
    public static final int MAX_INTERESTS = 1024;
    /** Largest history length accepted. */
    public static final int MAX_LEN = 1 << 20;

    public IbimConfig {
        if (!Backbones.NAMES.contains(backbone)) {
            throw new IllegalArgumentException("unknown backbone '" + backbone + "' (" + String.join("|", Backbones.NAMES) + ")");
        }
        if (dim < 1 || interests < 1 || maxLen < 1 || numItems < 1) {
            throw new IllegalArgumentException("dim, interests, maxLen and numItems must be positive");
        }
        // Upper bounds so a damaged or hostile model.json cannot ask for absurd allocations or overflow row counts.
        if (dim > MAX_DIM || interests > MAX_INTERESTS || maxLen > MAX_LEN || numItems == Integer.MAX_VALUE) {
            throw new IllegalArgumentException("dim (<= " + MAX_DIM + "), interests (<= " + MAX_INTERESTS
                    + "), maxLen (<= " + MAX_LEN + ") or numItems (< 2^31-1) out of range: " + dim + ", " + interests
                    + ", " + maxLen + ", " + numItems);
        }
        init = Init.of(init == null ? Init.GLOROT.id() : init).id();
        if (initStd < 0) throw new IllegalArgumentException("initStd must be >= 0");
        align = HistoryAlignment.of(align == null ? HistoryAlignment.LEFT.id() : align).id();
    }

    /** Left-aligned histories (as before {@code align} existed). */
    public IbimConfig(String backbone, int dim, int interests, int maxLen, int numItems, String init, double initStd) {
        this(backbone, dim, interests, maxLen, numItems, init, initStd, null);
    }

    /** Glorot initialisation with an optional item-table override, left-aligned histories. */
    public IbimConfig(String backbone, int dim, int interests, int maxLen, int numItems, double initStd) {
        this(backbone, dim, interests, maxLen, numItems, Init.GLOROT.id(), initStd);
    }

    /** The alignment {@link #align()} names. */
    public HistoryAlignment alignment() {
        return HistoryAlignment.of(align);
    }

    /** The scheme {@link #init()} names. */
    public Init initScheme() {
        return Init.of(init);
    }

    /** The defaults: d=64, K=4, max length 20, Glorot initialisation, the backbone's default alignment. */
    public static IbimConfig defaults(String backbone, int numItems) {
        return defaults(backbone, 64, 4, 20, numItems);
    }

    /** The given shape with everything else at its default: Glorot initialisation, the backbone's alignment. */
    public static IbimConfig defaults(String backbone, int dim, int interests, int maxLen, int numItems) {
        return new IbimConfig(backbone, dim, interests, maxLen, numItems, Init.GLOROT.id(), 0,
                Backbones.defaults(backbone).alignment().id());
    }
}
