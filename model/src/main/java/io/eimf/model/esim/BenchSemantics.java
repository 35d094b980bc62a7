package io.eimf.model.esim;

import io.eimf.core.semantic.SemanticInterest;
import io.eimf.model.nn.Rng;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/** Random semantic interests of the right shape for timing ESIM in {@code eimf bench train} (no meaning, no data). */
public final class BenchSemantics {
    private BenchSemantics() {}

    /**
     * @param users dense user ids 0..users-1
     * @param share share of users that get semantic interests (spread evenly)
     * @param perUser interests per such user
     * @param vocabulary distinct interests to draw from
     * @param dim embedding dimension
     */
    public static SemanticBank bank(int users, double share, int perUser, int vocabulary, int dim, Rng rng) {
        List<SemanticInterest> vocab = new ArrayList<>();
        for (int v = 0; v < vocabulary; v++) {
            float[] e = new float[dim];
            for (int i = 0; i < dim; i++) e[i] = (float) rng.nextGaussian();
            vocab.add(new SemanticInterest("interest " + v, "", new int[0], e));
        }
        Map<Integer, List<SemanticInterest>> byUser = new LinkedHashMap<>();
        double acc = 0;
        for (int u = 0; u < users; u++) {
            acc += share;
            if (acc < 1) continue;
            acc -= 1;
            List<SemanticInterest> mine = new ArrayList<>();
            for (int j = 0; j < perUser; j++) mine.add(vocab.get(rng.nextInt(vocabulary)));
            byUser.put(u, mine);
        }
        return SemanticBank.of(byUser, dim, DataType.FLOAT);
    }
}
