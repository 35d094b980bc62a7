package io.eimf.llm.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Coalesces concurrent calls with the same key: the first caller computes, the others wait for its result. The key
 * is released when the computation ends, so a later call computes again (after checking the cache).
 */
public final class SingleFlight<V> {
    private final ConcurrentHashMap<String, CompletableFuture<V>> inFlight = new ConcurrentHashMap<>();

    /**
     * The outcome of {@link #run}.
     *
     * @param value the computed value
     * @param leader whether this caller computed it (false: it waited for another caller)
     */
    public record Result<V>(V value, boolean leader) {}

    /** Computes {@code work} unless a call with the same key is running, in which case it waits for that one. */
    public Result<V> run(String key, Supplier<V> work) {
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            try {
                return new Result<>(running.get(), false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for an identical request", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException re) throw re;
                if (c instanceof Error err) throw err;
                throw new IllegalStateException(c);
            }
        }
        try {
            V v = work.get();
            mine.complete(v);
            return new Result<>(v, true);
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key, mine);
        }
    }

    /** Keys being computed now. */
    public int inFlight() {
        return inFlight.size();
    }
}
