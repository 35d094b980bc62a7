package io.eimf.flink.prepare;

import io.eimf.core.dataset.SplitRole;
import java.io.Serializable;

/**
 * A split protocol and its parameters.
 *
 * @param protocol {@code comirec} (users shuffled, 8:1:1 into train/valid/test users, valid/test users keep their
 *     first {@code historyFraction} as history) or {@code loo} (leave-one-out: role ALL)
 * @param seed seed of the user shuffle (comirec)
 * @param trainRatio share of users in train
 * @param validRatio share of users in valid; the rest are test
 * @param historyFraction share of a valid/test user's sequence that is history: {@code floor(n * historyFraction)}
 */
public record SplitSpec(String protocol, long seed, double trainRatio, double validRatio, double historyFraction)
        implements Serializable {
    public static final String COMIREC = "comirec";
    public static final String LOO = "loo";

    public SplitSpec {
        if (!protocol.equals(COMIREC) && !protocol.equals(LOO)) {
            throw new IllegalArgumentException("split must be comirec or loo, got '" + protocol + "'");
        }
        if (trainRatio < 0 || validRatio < 0 || trainRatio + validRatio > 1 + 1e-12) {
            throw new IllegalArgumentException("need 0 <= train, valid and train + valid <= 1");
        }
        if (historyFraction <= 0 || historyFraction >= 1) {
            throw new IllegalArgumentException("history fraction must be in (0,1), got " + historyFraction);
        }
    }

    /** ComiRec's protocol: 8:1:1 users, 80% history. */
    public static SplitSpec comirec(long seed) {
        return new SplitSpec(COMIREC, seed, 0.8, 0.1, 0.8);
    }

    /** Leave-one-out. */
    public static SplitSpec loo() {
        return new SplitSpec(LOO, 0, 0, 0, 0.8);
    }

    /** The history length of a sequence of {@code n} items with {@code role}: the one rule both engines use. */
    public int historyLength(SplitRole role, int n) {
        return switch (role) {
            case TRAIN -> n;
            // floor(n * 0.8) as ComiRec's evaluation does; the epsilon keeps e.g. 10 * 0.8 from flooring to 7.
            case VALID, TEST -> (int) Math.floor(n * historyFraction + 1e-9);
            case ALL -> Math.max(0, n - 2);
        };
    }

    /** Whether a user with this role and length has an evaluation case for {@code wanted} (VALID or TEST). */
    public boolean hasCase(SplitRole role, int n, SplitRole wanted) {
        if (role == SplitRole.ALL) return n >= 3;
        if (role != wanted) return false;
        int h = historyLength(role, n);
        return h > 0 && h < n;
    }
}
