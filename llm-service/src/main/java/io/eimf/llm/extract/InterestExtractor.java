package io.eimf.llm.extract;

import io.eimf.llm.api.InterestRequest;
import java.util.Map;

/** Turns one user's items into named interests: an LLM behind a prompt, or the deterministic metadata extractor. */
public interface InterestExtractor extends AutoCloseable {
    /** Provider name written into every response: {@code openai}, {@code ollama}, {@code gguf}, {@code metadata}. */
    String provider();

    /** Model written into every response. */
    String model();

    /** Prompt template version, or null when no prompt is involved. */
    String templateVersion();

    /** Parameters that change answers; part of the cache key. */
    Map<String, Object> parameters();

    /** Whether answers are worth caching (false for cheap deterministic extractors). */
    boolean cacheable();

    /** Extracts interests of a normalised, validated request; never throws for a failed extraction. */
    Extraction extract(InterestRequest request);

    @Override
    default void close() {}
}
