package io.eimf.llm.metrics;

import io.eimf.llm.extract.ExtractionListener;
import io.eimf.llm.provider.ProviderException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters and latency histograms of one service instance, served by {@code GET /metrics} as JSON or in the
 * Prometheus text format. Also the {@link ExtractionListener} of the LLM extractor.
 */
public final class ServiceMetrics implements ExtractionListener {
    private final ConcurrentHashMap<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> responses = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder cacheMisses = new LongAdder();
    private final LongAdder coalesced = new LongAdder();
    private final AtomicLong cachePutErrors = new AtomicLong();
    private final LongAdder extractionsOk = new LongAdder();
    private final LongAdder extractionsFailed = new LongAdder();
    private final LongAdder llmCalls = new LongAdder();
    private final LongAdder llmCallFailures = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder invalidAnswers = new LongAdder();
    private final LongAdder repairs = new LongAdder();
    private final AtomicLong promptTokens = new AtomicLong();
    private final AtomicLong completionTokens = new AtomicLong();
    private final LongAdder embeddedTexts = new LongAdder();
    /** Time to answer an interest request served from the cache. */
    public final LatencyHistogram hitLatency = new LatencyHistogram();
    /** Time to answer an interest request that was not in the cache. */
    public final LatencyHistogram missLatency = new LatencyHistogram();
    /** Time of one LLM call. */
    public final LatencyHistogram llmLatency = new LatencyHistogram();
    /** Time of an embed request. */
    public final LatencyHistogram embedLatency = new LatencyHistogram();

    private static void inc(ConcurrentHashMap<String, LongAdder> m, String k) {
        m.computeIfAbsent(k, x -> new LongAdder()).increment();
    }

    /** An HTTP request arrived at {@code route}. */
    public void request(String route) {
        inc(requests, route);
    }

    /** An HTTP response left with {@code status}. */
    public void response(int status) {
        inc(responses, Integer.toString(status));
    }

    /** A request was refused or failed; {@code kind} is e.g. {@code unauthorized}, {@code too_large}. */
    public void error(String kind) {
        inc(errors, kind);
    }

    public void cacheHit(long nanos) {
        cacheHits.increment();
        hitLatency.recordNanos(nanos);
    }

    public void cacheMiss(long nanos, boolean leader) {
        cacheMisses.increment();
        if (!leader) coalesced.increment();
        missLatency.recordNanos(nanos);
    }

    /** A valid answer could not be stored in the cache (it was still returned); the count so far. */
    public long cachePutFailed() {
        error("cache_put");
        return cachePutErrors.incrementAndGet();
    }

    public long cachePutErrors() {
        return cachePutErrors.get();
    }

    public void extraction(boolean ok) {
        (ok ? extractionsOk : extractionsFailed).increment();
        if (!ok) error("extraction_failed");
    }

    public void embedded(int texts, long nanos) {
        embeddedTexts.add(texts);
        embedLatency.recordNanos(nanos);
    }

    @Override
    public void llmCall(long nanos, boolean success) {
        llmCalls.increment();
        if (!success) llmCallFailures.increment();
        llmLatency.recordNanos(nanos);
    }

    @Override
    public void retry(ProviderException.Kind kind) {
        retries.increment();
        error("llm_" + kind.name().toLowerCase(Locale.ROOT));
    }

    @Override
    public void callFailed(ProviderException.Kind kind) {
        error("llm_" + kind.name().toLowerCase(Locale.ROOT));
    }

    @Override
    public void invalidAnswer() {
        invalidAnswers.increment();
    }

    @Override
    public void repair() {
        repairs.increment();
    }

    @Override
    public void tokens(long prompt, long completion) {
        promptTokens.addAndGet(prompt);
        completionTokens.addAndGet(completion);
    }

    /** LLM calls made so far (every attempt counts). */
    public long llmCalls() {
        return llmCalls.sum();
    }

    public long cacheHits() {
        return cacheHits.sum();
    }

    public long cacheMisses() {
        return cacheMisses.sum();
    }

    public long retries() {
        return retries.sum();
    }

    /** Everything, as nested maps for JSON. */
    public Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", sums(requests));
        m.put("responses", sums(responses));
        Map<String, Object> cache = new LinkedHashMap<>();
        cache.put("hits", cacheHits.sum());
        cache.put("misses", cacheMisses.sum());
        cache.put("coalesced", coalesced.sum());
        cache.put("putErrors", cachePutErrors.get());
        m.put("cache", cache);
        Map<String, Object> ex = new LinkedHashMap<>();
        ex.put("ok", extractionsOk.sum());
        ex.put("failed", extractionsFailed.sum());
        m.put("extractions", ex);
        Map<String, Object> llm = new LinkedHashMap<>();
        llm.put("calls", llmCalls.sum());
        llm.put("failedCalls", llmCallFailures.sum());
        llm.put("retries", retries.sum());
        llm.put("invalidAnswers", invalidAnswers.sum());
        llm.put("repairs", repairs.sum());
        m.put("llm", llm);
        Map<String, Object> tok = new LinkedHashMap<>();
        tok.put("prompt", promptTokens.get());
        tok.put("completion", completionTokens.get());
        m.put("tokens", tok);
        m.put("embeddedTexts", embeddedTexts.sum());
        Map<String, Object> lat = new LinkedHashMap<>();
        lat.put("interestCacheHit", hitLatency.summary());
        lat.put("interestCacheMiss", missLatency.summary());
        lat.put("llmCall", llmLatency.summary());
        lat.put("embed", embedLatency.summary());
        m.put("latency", lat);
        m.put("errors", sums(errors));
        return m;
    }

    /** The same numbers in the Prometheus text exposition format. */
    public String prometheus() {
        StringBuilder b = new StringBuilder();
        counter(b, "eimf_llm_requests_total", "HTTP requests by route", "route", requests);
        counter(b, "eimf_llm_responses_total", "HTTP responses by status", "status", responses);
        counter(b, "eimf_llm_errors_total", "refused requests and LLM failures by kind", "kind", errors);
        simple(b, "eimf_llm_cache_hits_total", "interest requests answered from the cache", cacheHits.sum());
        simple(b, "eimf_llm_cache_misses_total", "interest requests not in the cache", cacheMisses.sum());
        simple(b, "eimf_llm_cache_coalesced_total", "misses that waited for an identical in-flight request",
                coalesced.sum());
        simple(b, "eimf_llm_cache_put_errors_total", "valid answers returned but not stored (cache write failed)",
                cachePutErrors.get());
        simple(b, "eimf_llm_extractions_failed_total", "extractions that failed", extractionsFailed.sum());
        simple(b, "eimf_llm_calls_total", "LLM calls (every attempt)", llmCalls.sum());
        simple(b, "eimf_llm_retries_total", "LLM calls retried", retries.sum());
        simple(b, "eimf_llm_invalid_answers_total", "LLM answers that failed validation", invalidAnswers.sum());
        simple(b, "eimf_llm_repairs_total", "repair prompts sent", repairs.sum());
        simple(b, "eimf_llm_prompt_tokens_total", "prompt tokens spent", promptTokens.get());
        simple(b, "eimf_llm_completion_tokens_total", "completion tokens spent", completionTokens.get());
        summary(b, "eimf_llm_interest_hit_seconds", "latency of cache hits", hitLatency);
        summary(b, "eimf_llm_interest_miss_seconds", "latency of cache misses", missLatency);
        summary(b, "eimf_llm_call_seconds", "latency of one LLM call", llmLatency);
        summary(b, "eimf_llm_embed_seconds", "latency of embed requests", embedLatency);
        return b.toString();
    }

    private static Map<String, Long> sums(ConcurrentHashMap<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private static void counter(StringBuilder b, String name, String help, String label,
                                ConcurrentHashMap<String, LongAdder> m) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(" counter\n");
        sums(m).forEach((k, v) -> b.append(name).append('{').append(label).append("=\"").append(k).append("\"} ")
                .append(v).append('\n'));
    }

    private static void simple(StringBuilder b, String name, String help, long v) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(" counter\n").append(name).append(' ').append(v).append('\n');
    }

    private static void summary(StringBuilder b, String name, String help, LatencyHistogram h) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(" summary\n");
        for (double q : new double[] {0.5, 0.9, 0.99}) {
            b.append(name).append("{quantile=\"").append(q).append("\"} ")
                    .append(String.format(Locale.ROOT, "%.6f", h.percentileMs(q) / 1000)).append('\n');
        }
        b.append(name).append("_sum ").append(String.format(Locale.ROOT, "%.6f", h.meanMs() * h.count() / 1000))
                .append('\n');
        b.append(name).append("_count ").append(h.count()).append('\n');
    }
}
