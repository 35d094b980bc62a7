package io.eimf.flink.prepare;

import io.eimf.core.dataset.SplitRole;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Random;

/**
 * Dense ids and split roles, computed once from the kept items and users (small: one entry per item or user, never
 * per interaction). Items get 1..N in {@link RawIdOrder} (0 is padding); users get 0..U-1 in {@link RawIdOrder}; the
 * comirec split shuffles the dense user ids with {@code java.util.Random(seed)} (Fisher-Yates from the last index
 * down) and gives the first {@code floor(U*train)} positions TRAIN, up to {@code floor(U*(train+valid))} VALID, the
 * rest TEST. The loo split gives every user ALL.
 */
public final class Assignment {
    /** Raw item ids by dense id - 1. */
    public final String[] items;
    /** Raw user ids by dense id. */
    public final String[] users;
    /** Role by dense user id. */
    public final SplitRole[] roles;

    private Assignment(String[] items, String[] users, SplitRole[] roles) {
        this.items = items;
        this.users = users;
        this.roles = roles;
    }

    /** Assigns ids and roles; {@code keptItems} and {@code keptUsers} must hold no duplicates. */
    public static Assignment of(Collection<String> keptItems, Collection<String> keptUsers, SplitSpec split) {
        String[] items = keptItems.toArray(new String[0]);
        Arrays.sort(items, RawIdOrder.INSTANCE);
        String[] users = keptUsers.toArray(new String[0]);
        Arrays.sort(users, RawIdOrder.INSTANCE);
        return new Assignment(items, users, roles(users.length, split));
    }

    /** The split roles of {@code n} users in dense order. */
    public static SplitRole[] roles(int n, SplitSpec split) {
        SplitRole[] roles = new SplitRole[n];
        if (split.protocol().equals(SplitSpec.LOO)) {
            Arrays.fill(roles, SplitRole.ALL);
            return roles;
        }
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        Random rnd = new Random(split.seed());
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int trainEnd = (int) Math.floor(n * split.trainRatio() + 1e-9);
        int validEnd = (int) Math.floor(n * (split.trainRatio() + split.validRatio()) + 1e-9);
        for (int k = 0; k < n; k++) {
            roles[perm[k]] = k < trainEnd ? SplitRole.TRAIN : k < validEnd ? SplitRole.VALID : SplitRole.TEST;
        }
        return roles;
    }

    /** Distinct items of the sequences (the catalogue keeps exactly the items some kept user interacted with). */
    public static Collection<String> distinctItems(List<RawSequence> seqs) {
        java.util.HashSet<String> set = new java.util.HashSet<>();
        for (RawSequence s : seqs) set.addAll(Arrays.asList(s.items));
        return set;
    }

    /** Users of the sequences. */
    public static List<String> users(List<RawSequence> seqs) {
        List<String> out = new ArrayList<>(seqs.size());
        for (RawSequence s : seqs) out.add(s.user);
        return out;
    }
}
