package io.eimf.llm.api;

import java.util.List;

/**
 * Embeddings of an {@link EmbedRequest}, in order.
 *
 * @param model the embedding model that produced them, e.g. {@code all-minilm-l6-v2-q}
 * @param dimension length of every vector
 * @param vectors one L2-normalised vector per input text
 */
public record EmbedResponse(String model, int dimension, List<float[]> vectors) {
    public EmbedResponse {
        vectors = vectors == null ? List.of() : List.copyOf(vectors);
    }
}
