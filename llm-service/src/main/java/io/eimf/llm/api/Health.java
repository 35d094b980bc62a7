package io.eimf.llm.api;

/**
 * What {@code GET /healthz} answers.
 *
 * @param status {@code ok}
 * @param provider the configured interest provider
 * @param model the configured model
 * @param templateVersion the prompt template version in use (null for metadata)
 * @param embeddingModel the embedding model
 * @param cache the cache store, without credentials (e.g. {@code sqlite:/path/cache.db})
 * @param version EIMF version
 */
public record Health(String status, String provider, String model, String templateVersion, String embeddingModel,
                     String cache, String version) {}
