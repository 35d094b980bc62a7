package io.eimf.llm.api;

import java.util.List;

/** Answers to a {@link BatchInterestRequest}, one per request in the same order; each has its own status. */
public record BatchInterestResponse(List<InterestResponse> responses) {
    public BatchInterestResponse {
        responses = responses == null ? List.of() : List.copyOf(responses);
    }
}
