package io.eimf.llm.prompt;

import java.util.ArrayList;
import java.util.List;

/**
 * A prompt as chat messages plus the JSON schema the answer must follow (used for grammar-constrained decoding by
 * the gguf provider; the other providers get it in words).
 *
 * @param system the system message
 * @param turns user/assistant messages in order, ending with a user message
 * @param jsonSchema JSON schema of a valid answer
 */
public record ChatPrompt(String system, List<ChatTurn> turns, String jsonSchema) {
    public ChatPrompt {
        turns = List.copyOf(turns);
    }

    /** This prompt followed by the model's answer and a new user message. */
    public ChatPrompt followedBy(String assistantAnswer, String userMessage) {
        List<ChatTurn> t = new ArrayList<>(turns);
        t.add(ChatTurn.assistant(assistantAnswer));
        t.add(ChatTurn.user(userMessage));
        return new ChatPrompt(system, t, jsonSchema);
    }
}
