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
     * What a backbone gets from {@code eimf train} unless told otherwise, where the MovieLens 100K splits showed that
     * it needs something other than ComiRec's settings (docs/RESULTS.md, "History alignment" and "ComiRec-DR's
     * popularity plateau").
     *
     * @param alignment where short histories sit: right for ComiRec-SA, ComiRec's left for DR and MIND
     * @param patience validations without improvement before early stopping: 20 for ComiRec-DR, whose validation
     *     Recall@50 sits near MostPopular's for its first ~1,000-2,000 steps, 5 for the others
     */
    public record Defaults(HistoryAlignment alignment, int patience) {}

    /** The {@link Defaults} of backbone {@code name}. */
    public static Defaults defaults(String name) {
        return switch (name) {
            case ComiRecSA.NAME -> new Defaults(HistoryAlignment.RIGHT, 5);
            case ComiRecDR.NAME -> new Defaults(HistoryAlignment.LEFT, 20);
            case Mind.NAME -> new Defaults(HistoryAlignment.LEFT, 5);
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
