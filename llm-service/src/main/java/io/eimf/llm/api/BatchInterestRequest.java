package io.eimf.llm.api;

import java.util.List;

/** Several users' interest requests in one HTTP call; answered in the same order. */
public record BatchInterestRequest(List<InterestRequest> requests) {
    public BatchInterestRequest {
        requests = requests == null ? List.of() : List.copyOf(requests);
    }
}
