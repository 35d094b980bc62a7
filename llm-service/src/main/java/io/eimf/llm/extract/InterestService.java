package io.eimf.llm.extract;

import io.eimf.llm.api.InterestItem;
import io.eimf.llm.api.InterestRequest;
import io.eimf.llm.api.InterestResponse;
import io.eimf.llm.api.TokenUsage;
import io.eimf.llm.cache.CacheEntry;
import io.eimf.llm.cache.CacheKey;
import io.eimf.llm.cache.InterestCache;
import io.eimf.llm.cache.SingleFlight;
import io.eimf.llm.metrics.ServiceMetrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Answers interest requests: normalise, look up the cache, else extract once per key however many identical
 * requests arrive together (single flight), and cache only valid answers. Thread-safe.
 */
public final class InterestService implements AutoCloseable {
    private final InterestExtractor extractor;
    private final InterestCache cache;
    private final ServiceMetrics metrics;
    private final java.io.PrintStream log;
    /** Values are an {@link Extracted} (this flight called the provider) or a {@link CacheEntry} (it did not). */
    private final SingleFlight<Object> flights = new SingleFlight<>();

    private record Extracted(Extraction extraction, String createdAt) {}

    /**
     * @param extractor the provider behind the prompt (or the metadata extractor)
     * @param cache where valid answers are kept; may be null only for an extractor that is not cacheable
     * @param metrics counters to update
     */
    public InterestService(InterestExtractor extractor, InterestCache cache, ServiceMetrics metrics) {
        this(extractor, cache, metrics, System.err);
    }

    /** As {@link #InterestService(InterestExtractor, InterestCache, ServiceMetrics)}, warnings to {@code log}. */
    public InterestService(InterestExtractor extractor, InterestCache cache, ServiceMetrics metrics,
                           java.io.PrintStream log) {
        this.log = Objects.requireNonNull(log);
        this.extractor = Objects.requireNonNull(extractor);
        this.metrics = Objects.requireNonNull(metrics);
        if (cache == null && extractor.cacheable()) throw new IllegalArgumentException("a cache is required");
        this.cache = cache;
    }

    public InterestExtractor extractor() {
        return extractor;
    }

    /** The answer for one request that already passed the size and field checks. */
    public InterestResponse interests(InterestRequest request) {
        long t0 = System.nanoTime();
        InterestRequest r = normalise(request);
        String key = CacheKey.of(extractor.provider(), extractor.model(), extractor.templateVersion(),
                extractor.parameters(), r);
        if (!extractor.cacheable()) {
            Extraction x = extractor.extract(r);
            metrics.extraction(x.ok());
            metrics.cacheMiss(System.nanoTime() - t0, true);
            return fromExtraction(request.userId(), key, new Extracted(x, Instant.now().toString()));
        }
        Optional<CacheEntry> hit = cache.get(key);
        if (hit.isPresent()) {
            metrics.cacheHit(System.nanoTime() - t0);
            return fromCache(request.userId(), hit.get());
        }
        SingleFlight.Result<Object> res = runOnce(key, r);
        if (res.value() instanceof CacheEntry e) {
            // Another flight finished between our lookup and our turn: that is a cache hit.
            metrics.cacheHit(System.nanoTime() - t0);
            return fromCache(request.userId(), e);
        }
        metrics.cacheMiss(System.nanoTime() - t0, res.leader());
        return fromExtraction(request.userId(), key, (Extracted) res.value());
    }

    private SingleFlight.Result<Object> runOnce(String key, InterestRequest r) {
        return flights.run(key, () -> {
            // Re-check inside the flight: a flight for this key may have completed and left just before we joined.
            Optional<CacheEntry> again = cache.get(key);
            if (again.isPresent()) return again.get();
            Extraction x = extractor.extract(r);
            metrics.extraction(x.ok());
            String createdAt = Instant.now().toString();
            if (x.ok()) {
                CacheEntry entry = new CacheEntry(key, extractor.provider(), extractor.model(),
                        extractor.templateVersion(), x.interests(), createdAt, x.latencyMs(),
                        x.tokens().promptTokens(), x.tokens().completionTokens(), x.attempts());
                try {
                    cache.put(entry);
                } catch (RuntimeException e) {
                    // The answer is paid for and valid: a cache that cannot store it (disk full, database down)
                    // costs a repeat call later, not this answer. Logged sparsely and counted on /metrics.
                    long n = metrics.cachePutFailed();
                    if (n == 1 || n % 100 == 0) {
                        log.println("[llm-service] warning: cache write failed (" + n + " so far); answer returned "
                                + "uncached: " + e.getMessage());
                    }
                }
            }
            return new Extracted(x, createdAt);
        });
    }

    private InterestResponse fromExtraction(String userId, String key, Extracted e) {
        Extraction x = e.extraction();
        return new InterestResponse(userId, x.ok() ? InterestResponse.OK : InterestResponse.FAILED, x.interests(),
                extractor.provider(), extractor.model(), extractor.templateVersion(), key, false, x.latencyMs(),
                x.tokens(), x.attempts(), e.createdAt(), x.error());
    }

    private static InterestResponse fromCache(String userId, CacheEntry e) {
        return new InterestResponse(userId, InterestResponse.OK, e.interests(), e.provider(), e.model(),
                e.templateVersion(), e.key(), true, e.latencyMs(),
                new TokenUsage(e.promptTokens(), e.completionTokens()), e.attempts(), e.createdAt(), null);
    }

    /**
     * The canonical form of a request: texts, categories and ids stripped, runs of whitespace (line breaks
     * included) made one space, control characters dropped. Requests that differ only in such spacing share a key.
     */
    public static InterestRequest normalise(InterestRequest r) {
        List<InterestItem> items = new ArrayList<>(r.items().size());
        for (InterestItem it : r.items()) {
            List<String> cats = new ArrayList<>(it.categories().size());
            for (String c : it.categories()) {
                String n = clean(c);
                if (!n.isEmpty()) cats.add(n);
            }
            items.add(new InterestItem(it.id().strip(), clean(it.text()), cats));
        }
        return new InterestRequest(r.userId(), items, r.minInterests(), r.maxInterests());
    }

    private static final java.util.regex.Pattern CONTROL = java.util.regex.Pattern.compile("[\\p{Cc}&&[^\\t\\n\\r]]");
    private static final java.util.regex.Pattern SPACE = java.util.regex.Pattern.compile("\\s+");

    private static String clean(String s) {
        return SPACE.matcher(CONTROL.matcher(s).replaceAll("")).replaceAll(" ").strip();
    }

    @Override
    public void close() {
        extractor.close();
        if (cache != null) cache.close();
    }
}
