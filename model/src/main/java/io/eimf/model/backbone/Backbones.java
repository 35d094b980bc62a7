package io.eimf.model.backbone;

import io.eimf.model.nn.Rng;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/** Creates backbones by name. */
public final class Backbones {
    /** The names {@link #create} accepts. */
    public static final List<String> NAMES = List.of(ComiRecSA.NAME, ComiRecDR.NAME, Mind.NAME);

    private Backbones() {}

    public static MultiInterestBackbone create(String name, int dim, int interests, int maxLen, DataType type, Rng rng) {
        return switch (name) {
            case ComiRecSA.NAME -> new ComiRecSA(dim, interests, maxLen, type, rng);
            case ComiRecDR.NAME -> new ComiRecDR(dim, interests, maxLen, type, rng);
            case Mind.NAME -> new Mind(dim, interests, maxLen, type, rng);
            default -> throw new IllegalArgumentException("unknown backbone '" + name + "' (" + String.join("|", NAMES) + ")");
        };
    }
}
