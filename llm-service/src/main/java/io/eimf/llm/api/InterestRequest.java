package io.eimf.llm.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Ask for the semantic interests of one user.
 *
 * @param userId the caller's user id: echoed back, not part of the cache key (two users with the same history get
 *     the same answer)
 * @param items the user's items in time order (oldest first)
 * @param minInterests least interests wanted (at least 1; the template's default is 2)
 * @param maxInterests most interests wanted (K)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InterestRequest(String userId, List<InterestItem> items, int minInterests, int maxInterests) {
    public InterestRequest {
        items = items == null ? List.of() : List.copyOf(items);
    }

    /** A request for 2..{@code maxInterests} interests. */
    public static InterestRequest of(String userId, List<InterestItem> items, int maxInterests) {
        return new InterestRequest(userId, items, 2, maxInterests);
    }
}
