package io.eimf.llm.extract;

import io.eimf.llm.api.Interest;
import io.eimf.llm.api.TokenUsage;
import java.util.List;

/**
 * The outcome of one extraction.
 *
 * @param ok whether {@code interests} passed validation
 * @param interests validated interests (empty when not ok)
 * @param tokens tokens spent over all attempts
 * @param attempts provider calls made (retries and the repair attempt included)
 * @param latencyMs wall time of the whole extraction
 * @param error why it failed (null when ok)
 */
public record Extraction(boolean ok, List<Interest> interests, TokenUsage tokens, int attempts, long latencyMs,
                         String error) {
    public Extraction {
        interests = interests == null ? List.of() : List.copyOf(interests);
    }

    public static Extraction ok(List<Interest> interests, TokenUsage tokens, int attempts, long latencyMs) {
        return new Extraction(true, interests, tokens, attempts, latencyMs, null);
    }

    public static Extraction failed(String error, TokenUsage tokens, int attempts, long latencyMs) {
        return new Extraction(false, List.of(), tokens, attempts, latencyMs, error);
    }
}
