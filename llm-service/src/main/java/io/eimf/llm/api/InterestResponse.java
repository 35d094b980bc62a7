package io.eimf.llm.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The interests of one user, or why there are none.
 *
 * @param userId echoed from the request
 * @param status {@link #OK} or {@link #FAILED}
 * @param interests the validated interests (empty when failed)
 * @param provider which provider answered: {@code openai}, {@code ollama}, {@code gguf} or {@code metadata}
 * @param model the model (for metadata: the extractor's algorithm version; for gguf: file name and SHA-256)
 * @param templateVersion the prompt template version (metadata: none)
 * @param cacheKey the SHA-256 cache key of this request (64 hex characters)
 * @param cached whether the answer came from the cache
 * @param latencyMs time the provider spent producing the answer (for a cached answer: when it was produced)
 * @param tokens tokens the provider spent producing the answer
 * @param attempts provider calls made for this answer (retries and the repair attempt included)
 * @param createdAt ISO-8601 time the answer was produced
 * @param error why it failed (null when ok)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InterestResponse(String userId, String status, List<Interest> interests, String provider, String model,
                               String templateVersion, String cacheKey, boolean cached, long latencyMs,
                               TokenUsage tokens, int attempts, String createdAt, String error) {
    public static final String OK = "ok";
    public static final String FAILED = "failed";

    public InterestResponse {
        interests = interests == null ? List.of() : List.copyOf(interests);
    }

    /** Whether the interests are usable. */
    public boolean ok() {
        return OK.equals(status);
    }
}
