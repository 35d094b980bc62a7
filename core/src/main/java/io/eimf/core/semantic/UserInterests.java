package io.eimf.core.semantic;

import java.util.List;

/**
 * The semantic interests extracted for one typical user: one line of {@code interests.jsonl}.
 *
 * @param user dense user id of the prepared dataset
 * @param rawUser the source's user id
 * @param cluster the user's cluster
 * @param promptItems how many items (time order, up to the prompt cutoff) the prompt showed
 * @param interests the interests, in the order the LLM gave them
 * @param provider the llm-service provider that answered (e.g. {@code metadata}, {@code openai})
 * @param model the model name the provider reported
 * @param templateVersion the prompt template version
 * @param cached whether llm-service answered from its cache
 */
public record UserInterests(int user, String rawUser, int cluster, int promptItems, List<SemanticInterest> interests,
                            String provider, String model, String templateVersion, boolean cached) {
    public UserInterests {
        interests = interests == null ? List.of() : List.copyOf(interests);
    }
}
