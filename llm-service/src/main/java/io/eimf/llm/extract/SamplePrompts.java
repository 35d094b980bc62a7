package io.eimf.llm.extract;

import io.eimf.core.dataset.Item;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.dataset.SplitRole;
import io.eimf.core.dataset.UserSequence;
import io.eimf.core.semantic.ClusterSet.TypicalSample;
import io.eimf.llm.api.InterestItem;
import io.eimf.llm.api.InterestRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds the llm-service request of a typical sample: its prompt-visible items
 * ({@link UserSequence#promptVisibleItems()}), in time order, the most recent {@code maxItems} of them. Refuses a
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
        int[] visible = s.promptVisibleItems();
        return visible.length <= maxItems ? visible : Arrays.copyOfRange(visible, visible.length - maxItems,
                visible.length);
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
