package io.eimf.model.backbone;

import io.eimf.model.nn.Init;
import io.eimf.model.nn.Rng;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/** Creates backbones by name. */
public final class Backbones {
    /** The names {@link #create} accepts. */
    public static final List<String> NAMES = List.of(ComiRecSA.NAME, ComiRecDR.NAME, Mind.NAME);

    private Backbones() {}

    /** A backbone with TensorFlow-style (Glorot) initial weights. */
    public static MultiInterestBackbone create(String name, int dim, int interests, int maxLen, DataType type, Rng rng) {
        return create(name, dim, interests, maxLen, Init.GLOROT, type, rng);
    }

    /**
     * The history alignment a new model of this backbone gets unless told otherwise: the one that validated better
     * over twelve MovieLens 100K splits (docs/RESULTS.md, "History alignment").
     */
    public static HistoryAlignment defaultAlignment(String name) {
        return switch (name) {
            case ComiRecSA.NAME -> HistoryAlignment.RIGHT;
            case ComiRecDR.NAME, Mind.NAME -> HistoryAlignment.LEFT;
            default -> throw new IllegalArgumentException("unknown backbone '" + name + "' (" + String.join("|", NAMES) + ")");
        };
    }

    public static MultiInterestBackbone create(String name, int dim, int interests, int maxLen, Init init, DataType type,
                                               Rng rng) {
        return switch (name) {
            case ComiRecSA.NAME -> new ComiRecSA(dim, interests, maxLen, init, type, rng);
            case ComiRecDR.NAME -> new ComiRecDR(dim, interests, maxLen, init, type, rng);
            case Mind.NAME -> new Mind(dim, interests, maxLen, init, type, rng);
            default -> throw new IllegalArgumentException("unknown backbone '" + name + "' (" + String.join("|", NAMES) + ")");
        };
    }
}
