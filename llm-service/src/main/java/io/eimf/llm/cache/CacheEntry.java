package io.eimf.llm.cache;

import io.eimf.llm.api.Interest;
import java.util.List;

/**
 * One cached, validated answer.
 *
 * @param key the {@link CacheKey}
 * @param provider provider that produced it
 * @param model model that produced it
 * @param templateVersion prompt template version
 * @param interests the validated interests
 * @param createdAt ISO-8601 time it was produced
 * @param latencyMs how long producing it took
 * @param promptTokens prompt tokens spent
 * @param completionTokens completion tokens spent
 * @param attempts provider calls made
 */
public record CacheEntry(String key, String provider, String model, String templateVersion, List<Interest> interests,
                         String createdAt, long latencyMs, long promptTokens, long completionTokens, int attempts) {
    public CacheEntry {
        interests = List.copyOf(interests);
    }
}
