package io.eimf.core.dataset;

import java.util.Arrays;
import java.util.Objects;

/**
 * One user's interactions in time order with its split role.
 *
 * @param user dense user id, 0..numUsers-1
 * @param rawUser the user id in the source data
 * @param role the split role
 * @param historyLength how many leading items are model input: the whole sequence for TRAIN, the first 80% for
 *     VALID/TEST (comirec), all but the last two for ALL (loo)
 * @param items dense item ids in time order (ties keep input order)
 * @param timestamps event times (seconds, or the source's unit) parallel to items
 */
public record UserSequence(int user, String rawUser, SplitRole role, int historyLength, int[] items, long[] timestamps) {
    public UserSequence {
        Objects.requireNonNull(rawUser, "rawUser");
        Objects.requireNonNull(role, "role");
        if (timestamps.length != items.length) {
            throw new IllegalArgumentException("user " + rawUser + ": " + items.length + " items but "
                    + timestamps.length + " timestamps");
        }
        if (historyLength < 0 || historyLength > items.length) {
            throw new IllegalArgumentException("user " + rawUser + ": history length " + historyLength
                    + " outside 0.." + items.length);
        }
    }

    /** Number of interactions. */
    public int length() {
        return items.length;
    }

    /** The items a model may train on; for loo, everything before the validation item. */
    public int[] trainingItems() {
        return switch (role) {
            case TRAIN -> items;
            case ALL -> Arrays.copyOf(items, Math.max(0, items.length - 2));
            case VALID, TEST -> new int[0];
        };
    }

    /** The part a prompt or a user profile may see: training items only, never any target. */
    public int[] promptVisibleItems() {
        return trainingItems();
    }

    /** The evaluation case of this user for {@code wanted} (VALID or TEST), or null if it has none. */
    public EvaluationCase evaluationCase(SplitRole wanted) {
        if (wanted != SplitRole.VALID && wanted != SplitRole.TEST) {
            throw new IllegalArgumentException("evaluation role must be VALID or TEST, not " + wanted);
        }
        if (role == SplitRole.ALL) {
            int n = items.length;
            if (n < 3) return null;
            int cut = wanted == SplitRole.VALID ? n - 2 : n - 1;
            return new EvaluationCase(user, Arrays.copyOf(items, cut), new int[] {items[cut]});
        }
        if (role != wanted || historyLength == 0 || historyLength == items.length) return null;
        return new EvaluationCase(user, Arrays.copyOf(items, historyLength),
                Arrays.copyOfRange(items, historyLength, items.length));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserSequence s && user == s.user && historyLength == s.historyLength
                && rawUser.equals(s.rawUser) && role == s.role && Arrays.equals(items, s.items)
                && Arrays.equals(timestamps, s.timestamps);
    }

    @Override
    public int hashCode() {
        return Objects.hash(user, rawUser, role, historyLength, Arrays.hashCode(items), Arrays.hashCode(timestamps));
    }

    @Override
    public String toString() {
        return "UserSequence[user=" + user + ", raw=" + rawUser + ", role=" + role.label() + ", history="
                + historyLength + ", length=" + items.length + "]";
    }
}
