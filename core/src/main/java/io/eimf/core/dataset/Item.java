package io.eimf.core.dataset;

import java.util.List;
import java.util.Objects;

/**
 * One catalogue entry of a prepared dataset.
 *
 * @param id dense item id, 1..numItems (0 is padding and never an item)
 * @param rawId the id in the source data
 * @param title display title ("" when the source has none)
 * @param categories genres or categories, in source order
 * @param text the text a prompt or an embedding model sees for this item
 */
public record Item(int id, String rawId, String title, List<String> categories, String text) {
    public Item {
        if (id < 1) throw new IllegalArgumentException("item id must be >= 1 (0 is padding): " + id);
        Objects.requireNonNull(rawId, "rawId");
        title = title == null ? "" : title;
        categories = categories == null ? List.of() : List.copyOf(categories);
        text = text == null ? title : text;
    }

    /** The default prompt text: title, then categories. */
    public static String defaultText(String title, List<String> categories) {
        if (categories == null || categories.isEmpty()) return title;
        return title + " | " + String.join(", ", categories);
    }
}
