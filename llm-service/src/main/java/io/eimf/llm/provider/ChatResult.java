package io.eimf.llm.provider;

import io.eimf.llm.api.TokenUsage;

/**
 * One LLM answer.
 *
 * @param text the raw answer text
 * @param tokens tokens spent (zero when the backend does not say)
 */
public record ChatResult(String text, TokenUsage tokens) {}
