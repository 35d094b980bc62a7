package io.eimf.llm.provider;

import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import io.eimf.core.cli.EimfException;
import io.eimf.llm.config.LlmServiceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the configured {@link ChatProvider}; LangChain4j's own retries are off because the extractor retries, and
 * its HTTP client is {@link RetryAfterHttpClient} so that the extractor sees a rate limit's Retry-After.
 */
public final class Providers {
    private Providers() {}

    /** The chat provider of {@code c}; {@code c.provider()} must not be {@code metadata}. */
    public static ChatProvider chat(LlmServiceConfig c) {
        Duration timeout = Duration.ofMillis(c.timeoutMs());
        switch (c.provider()) {
            case "openai" -> {
                String url = require(c.baseUrl(), "baseUrl (EIMF_LLM_BASE_URL)", "openai");
                String model = require(c.model(), "model (EIMF_LLM_MODEL)", "openai");
                // Local OpenAI-compatible servers (vLLM, llama.cpp, LM Studio) accept any key; OpenAI itself needs one.
                String key = c.apiKey() == null || c.apiKey().isBlank() ? "none" : c.apiKey();
                OpenAiChatModel.OpenAiChatModelBuilder b = OpenAiChatModel.builder()
                        .baseUrl(url).apiKey(key).modelName(model)
                        .temperature(c.temperature()).maxTokens(c.maxTokens()).seed(c.seed())
                        .timeout(timeout).maxRetries(0).httpClientBuilder(RetryAfterHttpClient.builder());
                if (c.jsonMode()) b.responseFormat("json_object");
                return new LangChainChatProvider("openai", model, params(c), b.build());
            }
            case "ollama" -> {
                String url = require(c.baseUrl(), "baseUrl (EIMF_LLM_BASE_URL)", "ollama");
                String model = require(c.model(), "model (EIMF_LLM_MODEL)", "ollama");
                var b = OllamaChatModel.builder()
                        .baseUrl(url).modelName(model)
                        .temperature(c.temperature()).numPredict(c.maxTokens()).seed(c.seed())
                        .timeout(timeout).maxRetries(0).httpClientBuilder(RetryAfterHttpClient.builder());
                if (c.jsonMode()) b.responseFormat(ResponseFormat.JSON);
                return new LangChainChatProvider("ollama", model, params(c), b.build());
            }
            case "gguf" -> {
                String file = require(c.model(), "model (path of the .gguf file)", "gguf");
                return new GgufProvider(Path.of(file), c.ggufContext(), c.ggufThreads(), c.ggufGpuLayers(),
                        c.temperature(), c.maxTokens(), c.seed(), c.timeoutMs());
            }
            default -> throw new EimfException("provider '" + c.provider() + "' is not an LLM provider");
        }
    }

    /** The generation parameters that go into the cache key. */
    static Map<String, Object> params(LlmServiceConfig c) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("temperature", c.temperature());
        p.put("maxTokens", c.maxTokens());
        p.put("seed", c.seed());
        p.put("jsonMode", c.jsonMode());
        return p;
    }

    private static String require(String v, String what, String provider) {
        if (v == null || v.isBlank()) throw new EimfException("provider " + provider + " needs " + what);
        return v;
    }
}
