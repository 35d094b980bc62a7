package io.eimf.llm.extract;

import io.eimf.llm.provider.ProviderException;

/** Observes LLM calls (metrics); every method has a no-op default. */
public interface ExtractionListener {
    /** A provider call finished, successfully or not. */
    default void llmCall(long nanos, boolean success) {}

    /** A call failed and will be retried after a backoff. */
    default void retry(ProviderException.Kind kind) {}

    /** A call failed for good. */
    default void callFailed(ProviderException.Kind kind) {}

    /** An answer failed validation. */
    default void invalidAnswer() {}

    /** A repair prompt was sent. */
    default void repair() {}

    /** Tokens were spent. */
    default void tokens(long prompt, long completion) {}

    ExtractionListener NONE = new ExtractionListener() {};
}
