package io.eimf.mlflow.tracking;

/**
 * LLM usage totals of a run (the ESIM interest naming), logged as metrics {@code llm.*} and tags for provider/model.
 *
 * @param calls requests sent to the provider
 * @param cacheHits answers served from the cache instead
 * @param promptTokens tokens sent
 * @param completionTokens tokens received
 * @param wallSeconds wall time spent waiting for the provider
 * @param provider e.g. "llama.cpp", "openai"
 * @param model the model name
 */
public record LlmCost(long calls, long cacheHits, long promptTokens, long completionTokens, double wallSeconds,
        String provider, String model) {}
