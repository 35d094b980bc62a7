package io.eimf.llm.api;

import java.util.List;

/**
 * Texts to embed.
 *
 * @param texts the texts (interest names/descriptions or item texts: embed both with the same model)
 */
public record EmbedRequest(List<String> texts) {
    public EmbedRequest {
        texts = texts == null ? List.of() : List.copyOf(texts);
    }
}
