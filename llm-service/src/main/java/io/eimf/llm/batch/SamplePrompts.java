package io.eimf.llm.batch;

import io.eimf.core.dataset.Item;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.dataset.SplitRole;
import io.eimf.core.dataset.UserSequence;
import io.eimf.core.semantic.ClusterSet.TypicalSample;
import io.eimf.llm.api.InterestItem;
import io.eimf.llm.api.InterestRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the llm-service request of a typical sample: its prompt-visible items
 * ({@link UserSequence#promptVisibleItems()}), the most recent {@code maxItems} distinct ones, in time order (of
 * their latest occurrence). Refuses a
 * valid/test user outright: no target may reach a prompt, whatever the clusters directory says.
 */
public final class SamplePrompts {
    private final PreparedDataset dataset;
    private final int maxItems;
    private final int minInterests;
    private final int maxInterests;

    /**
     * @param dataset the prepared dataset the clusters were made from
     * @param maxItems most items per prompt (the most recent ones)
     * @param minInterests least interests asked for
     * @param maxInterests most interests asked for
     */
    public SamplePrompts(PreparedDataset dataset, int maxItems, int minInterests, int maxInterests) {
        this.dataset = dataset;
        this.maxItems = maxItems;
        this.minInterests = minInterests;
        this.maxInterests = maxInterests;
    }

    /** The items the prompt of user {@code user} shows, oldest first. */
    public int[] promptItems(int user) {
        if (user < 0 || user >= dataset.sequences().size()) {
            throw new IllegalArgumentException("user " + user + " is not in the dataset (0.."
                    + (dataset.sequences().size() - 1) + ")");
        }
        UserSequence s = dataset.sequences().get(user);
        if (s.role() == SplitRole.VALID || s.role() == SplitRole.TEST) {
            throw new IllegalStateException("user " + s.rawUser() + " is a " + s.role().label()
                    + " user: its sequence holds evaluation targets and never goes into a prompt");
        }
        return recentDistinct(s.promptVisibleItems(), maxItems);
    }

    /**
     * The last {@code max} distinct items of {@code visible}, each at its latest occurrence, oldest first
     * (llm-service refuses repeated item ids; a re-watched item counts where it was last seen).
     */
    static int[] recentDistinct(int[] visible, int max) {
        java.util.LinkedHashSet<Integer> seen = new java.util.LinkedHashSet<>();
        for (int i = visible.length - 1; i >= 0 && seen.size() < max; i--) seen.add(visible[i]);
        int[] out = new int[seen.size()];
        int j = out.length;
        for (int id : seen) out[--j] = id;
        return out;
    }

    /** The request for one typical sample; the echoed user id is the dense id. */
    public InterestRequest request(TypicalSample sample) {
        int[] ids = promptItems(sample.user());
        List<InterestItem> items = new ArrayList<>(ids.length);
        for (int id : ids) {
            Item it = dataset.item(id);
            items.add(new InterestItem(String.valueOf(id), it.text(), it.categories()));
        }
        return new InterestRequest(String.valueOf(sample.user()), items, minInterests, maxInterests);
    }
}
