package io.eimf.llm.extract;

import io.eimf.llm.api.InterestRequest;
import io.eimf.llm.api.TokenUsage;
import io.eimf.llm.prompt.AnswerValidator;
import io.eimf.llm.prompt.ChatPrompt;
import io.eimf.llm.prompt.InterestPrompt;
import io.eimf.llm.provider.ChatProvider;
import io.eimf.llm.provider.ChatResult;
import io.eimf.llm.provider.ProviderException;
import io.eimf.llm.retry.RetryPolicy;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Semaphore;

/**
 * Interest extraction with an LLM: the {@link InterestPrompt}, at most {@code maxConcurrentCalls} calls in flight,
 * retries with backoff on timeouts/429/5xx, validation by {@link AnswerValidator}, and one repair prompt after an
 * invalid answer; a second invalid answer is a failure.
 */
public final class LlmInterestExtractor implements InterestExtractor {
    private final ChatProvider provider;
    private final RetryPolicy retry;
    private final Semaphore permits;
    private ExtractionListener listener = ExtractionListener.NONE;

    /**
     * @param provider the LLM
     * @param retry retries of one call on retriable failures
     * @param maxConcurrentCalls most calls in flight at once across all requests
     */
    public LlmInterestExtractor(ChatProvider provider, RetryPolicy retry, int maxConcurrentCalls) {
        this.provider = Objects.requireNonNull(provider);
        this.retry = Objects.requireNonNull(retry);
        this.permits = new Semaphore(maxConcurrentCalls, true);
    }

    /** Sets the metrics listener. */
    public LlmInterestExtractor withListener(ExtractionListener l) {
        this.listener = Objects.requireNonNull(l);
        return this;
    }

    @Override
    public String provider() {
        return provider.name();
    }

    @Override
    public String model() {
        return provider.model();
    }

    @Override
    public String templateVersion() {
        return InterestPrompt.VERSION;
    }

    @Override
    public Map<String, Object> parameters() {
        return provider.parameters();
    }

    @Override
    public boolean cacheable() {
        return true;
    }

    @Override
    public Extraction extract(InterestRequest request) {
        long t0 = System.nanoTime();
        ChatPrompt prompt = InterestPrompt.build(request);
        TokenUsage tokens = TokenUsage.NONE;
        int[] attempts = {0};
        String lastProblem = null;
        for (int round = 0; round < 2; round++) {
            ChatResult r;
            try {
                r = callWithRetries(prompt, attempts);
            } catch (ProviderException e) {
                return Extraction.failed(e.getMessage(), tokens, attempts[0], ms(t0));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Extraction.failed(provider.name() + ": interrupted", tokens, attempts[0], ms(t0));
            }
            tokens = tokens.plus(r.tokens());
            listener.tokens(r.tokens().promptTokens(), r.tokens().completionTokens());
            AnswerValidator.Result v = AnswerValidator.validate(r.text(), request);
            if (v.valid()) return Extraction.ok(v.interests(), tokens, attempts[0], ms(t0));
            listener.invalidAnswer();
            lastProblem = String.join("; ", v.problems());
            if (round == 0) {
                listener.repair();
                prompt = prompt.followedBy(truncate(r.text(), 4000), InterestPrompt.repairMessage(v.problems()));
            }
        }
        return Extraction.failed(provider.name() + ": invalid answer after a repair attempt: " + lastProblem,
                tokens, attempts[0], ms(t0));
    }

    private ChatResult callWithRetries(ChatPrompt prompt, int[] attempts)
            throws ProviderException, InterruptedException {
        for (int retryNo = 0; ; retryNo++) {
            ProviderException failure;
            permits.acquire();
            long t = System.nanoTime();
            try {
                attempts[0]++;
                ChatResult r = provider.chat(prompt);
                listener.llmCall(System.nanoTime() - t, true);
                return r;
            } catch (ProviderException e) {
                listener.llmCall(System.nanoTime() - t, false);
                failure = e;
            } finally {
                permits.release();
            }
            if (failure.kind().retriable() && retryNo < retry.maxRetries() && !retry.allows(failure.retryAfter())) {
                listener.callFailed(failure.kind());
                throw new ProviderException(failure.kind(), failure.status(), failure.getMessage()
                        + " (upstream asked to retry after " + failure.retryAfter().toMillis()
                        + " ms, longer than maxBackoffMs: not retried)", failure, failure.retryAfter());
            }
            if (!failure.kind().retriable() || retryNo >= retry.maxRetries()) {
                listener.callFailed(failure.kind());
                if (retryNo > 0) {
                    throw new ProviderException(failure.kind(), failure.status(),
                            failure.getMessage() + " (gave up after " + (retryNo + 1) + " attempts)", failure);
                }
                throw failure;
            }
            listener.retry(failure.kind());
            retry.sleep(retryNo, failure.retryAfter()); // without a permit: other requests use the slot meanwhile
        }
    }

    private static String truncate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n);
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Override
    public void close() {
        try {
            provider.close();
        } catch (Exception e) {
            // Closing a provider releases native memory or HTTP clients; nothing useful to do on failure.
        }
    }
}
