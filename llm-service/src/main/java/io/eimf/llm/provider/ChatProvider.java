package io.eimf.llm.provider;

import io.eimf.llm.prompt.ChatPrompt;
import java.util.Map;

/** An LLM that answers chat prompts: an OpenAI-compatible endpoint, Ollama, or an in-process GGUF model. */
public interface ChatProvider extends AutoCloseable {
    /** {@code openai}, {@code ollama} or {@code gguf}. */
    String name();

    /** The model as it goes into responses and cache keys. */
    String model();

    /** Generation parameters that change answers (they go into the cache key). */
    Map<String, Object> parameters();

    /**
     * One call, no retries (the caller retries).
     *
     * @throws ProviderException on timeouts, HTTP errors and backend failures, classified for retrying
     */
    ChatResult chat(ChatPrompt prompt) throws ProviderException;

    @Override
    default void close() {}
}
