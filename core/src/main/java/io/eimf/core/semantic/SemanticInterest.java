package io.eimf.core.semantic;

/**
 * One interest an LLM named for a typical user, with its text embedding.
 *
 * @param name a short name, e.g. "space exploration"
 * @param description one or two sentences saying what the user likes
 * @param evidence dense item ids from the user's prompt-visible history that support it
 * @param embedding the text embedding of {@code name + ": " + description}
 */
public record SemanticInterest(String name, String description, int[] evidence, float[] embedding) {
    public SemanticInterest {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("interest name is empty");
        description = description == null ? "" : description;
        evidence = evidence == null ? new int[0] : evidence;
        embedding = embedding == null ? new float[0] : embedding;
    }
}
