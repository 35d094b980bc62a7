package io.eimf.llm.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Objects;

/**
 * One item of a user's history as the service sees it.
 *
 * @param id the caller's item id (echoed back as evidence; never shown to the LLM)
 * @param text what the LLM and the embedder see, e.g. {@code Item.text()}: title, then categories
 * @param categories optional structured categories; the {@code metadata} provider prefers them over title keywords
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record InterestItem(String id, String text, List<String> categories) {
    public InterestItem {
        Objects.requireNonNull(id, "item id");
        Objects.requireNonNull(text, "item text");
        categories = categories == null ? List.of() : List.copyOf(categories);
    }

    /** An item without structured categories. */
    public static InterestItem of(String id, String text) {
        return new InterestItem(id, text, List.of());
    }
}
