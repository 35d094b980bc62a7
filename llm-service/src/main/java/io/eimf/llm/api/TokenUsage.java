package io.eimf.llm.api;

/**
 * Tokens one extraction spent, summed over retries and the repair attempt; zero for the metadata provider.
 *
 * @param promptTokens input tokens
 * @param completionTokens output tokens
 */
public record TokenUsage(long promptTokens, long completionTokens) {
    public static final TokenUsage NONE = new TokenUsage(0, 0);

    /** The sum of two usages. */
    public TokenUsage plus(TokenUsage o) {
        return o == null ? this : new TokenUsage(promptTokens + o.promptTokens, completionTokens + o.completionTokens);
    }

    /** Prompt plus completion tokens. */
    public long total() {
        return promptTokens + completionTokens;
    }
}
