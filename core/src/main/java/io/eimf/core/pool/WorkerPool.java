package io.eimf.core.pool;

import io.eimf.core.retry.Backoff;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A bounded pool for many small calls to a slow or flaky service (the extraction step's LLM calls): at most
 * {@code concurrency} batches in flight, items grouped in batches of {@code batchSize}, transient failures retried
 * with exponential backoff and jitter, and a policy for what a batch that keeps failing does to the rest: stop
 * everything ({@link ErrorPolicy#FAIL_FAST}) or record it and go on ({@link ErrorPolicy#CONTINUE}).
 *
 * <p>A batch call can fail as a whole (it throws: retried if {@link #transientWhen transient}) or item by item
 * (it returns, but {@link #itemFailedWhen} says some results are failures): then only those items are sent again,
 * as a smaller batch, after the same backoff.
 *
 * <p>Required parts go in the constructor; the rest are fluent setters with defaults (concurrency 4, batch 1, 3
 * retries, a jittered {@link Backoff} of 200 ms doubling up to 10 s, IOExceptions and timeouts count as transient, every
 * returned result counts as a success, fail fast).
 *
 * @param <I> item type
 * @param <O> result type per item
 */
public final class WorkerPool<I, O> {
    /** Processes one batch, returning one result per item in order. */
    @FunctionalInterface
    public interface BatchFn<I, O> {
        List<O> apply(List<I> batch) throws Exception;
    }

    /** What a batch whose retries are used up does to the run. */
    public enum ErrorPolicy { FAIL_FAST, CONTINUE }

    /** Says why one item's result is a failure worth asking again for, or null when it is a success. */
    @FunctionalInterface
    public interface ItemCheck<O> {
        String failure(O result);
    }

    /** The error of an item whose result {@link ItemCheck} rejected on its last attempt. */
    public static final class ItemFailedException extends Exception {
        public ItemFailedException(String reason) {
            super(reason);
        }
    }

    /** Called after each attempt of a batch (for progress): items finished and failed for good so far. */
    @FunctionalInterface
    public interface Listener {
        void batchDone(int itemsDone, int itemsFailed, int total);
    }

    /** One item that failed for good, with the error of its last attempt and how many attempts were made. */
    public record Failure<I>(I item, Throwable error, int attempts) {}

    /**
     * The outcome: {@code results.get(i)} is item i's result, or null where it failed.
     *
     * @param retries attempts beyond the first, summed over batches
     */
    public record Result<I, O>(List<O> results, List<Failure<I>> failures, int retries) {
        public boolean ok() {
            return failures.isEmpty();
        }
    }

    private final BatchFn<I, O> fn;
    private int concurrency = 4;
    private int batchSize = 1;
    private int maxRetries = 3;
    private Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10));
    private Predicate<Throwable> transientError = WorkerPool::defaultTransient;
    private ItemCheck<O> itemCheck = r -> null;
    private ErrorPolicy policy = ErrorPolicy.FAIL_FAST;
    private Listener listener = (d, f, t) -> {};
    private Sleeper sleeper = ms -> Thread.sleep(ms);

    /** How the pool waits between attempts (tests pass a recording one). */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    public WorkerPool(BatchFn<I, O> fn) {
        this.fn = fn;
    }

    public WorkerPool<I, O> concurrency(int n) {
        if (n < 1) throw new IllegalArgumentException("concurrency must be >= 1");
        this.concurrency = n;
        return this;
    }

    public WorkerPool<I, O> batchSize(int n) {
        if (n < 1) throw new IllegalArgumentException("batch size must be >= 1");
        this.batchSize = n;
        return this;
    }

    public WorkerPool<I, O> retries(int n) {
        if (n < 0) throw new IllegalArgumentException("retries must be >= 0");
        this.maxRetries = n;
        return this;
    }

    public WorkerPool<I, O> backoff(Duration initial, Duration max) {
        this.backoff = new Backoff(initial, max);
        return this;
    }

    /** Which errors are worth retrying; others fail the batch at once. */
    public WorkerPool<I, O> transientWhen(Predicate<Throwable> p) {
        this.transientError = p;
        return this;
    }

    /** Which returned results are per-item failures to retry (default: none). */
    public WorkerPool<I, O> itemFailedWhen(ItemCheck<O> c) {
        this.itemCheck = c;
        return this;
    }

    public WorkerPool<I, O> onError(ErrorPolicy p) {
        this.policy = p;
        return this;
    }

    public WorkerPool<I, O> listener(Listener l) {
        this.listener = l;
        return this;
    }

    public WorkerPool<I, O> sleeper(Sleeper s) {
        this.sleeper = s;
        return this;
    }

    /** Network errors and timeouts, anywhere in the cause chain. */
    public static boolean defaultTransient(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof HttpTimeoutException
                    || t instanceof java.util.concurrent.TimeoutException) return true;
            if (t.getCause() == t) break;
        }
        return false;
    }

    /**
     * Runs every item. With FAIL_FAST the first batch that fails for good stops new batches from starting and the
     * method throws {@link PoolFailedException} (batches already running finish first).
     */
    public Result<I, O> run(List<I> items) throws InterruptedException {
        int n = items.size();
        List<O> results = new ArrayList<>(Collections.nCopies(n, null));
        List<Failure<I>> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger done = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger retriesUsed = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService ex = Executors.newFixedThreadPool(Math.max(1, Math.min(concurrency, (n + batchSize - 1) / Math.max(1, batchSize))), r -> {
            Thread t = new Thread(r, "eimf-pool");
            t.setDaemon(true);
            return t;
        });
        List<Future<?>> fs = new ArrayList<>();
        try {
            for (int start = 0; start < n; start += batchSize) {
                int from = start;
                int to = Math.min(n, start + batchSize);
                fs.add(ex.submit(() -> {
                    if (stop.get()) return null;
                    List<Integer> pending = new ArrayList<>();
                    for (int i = from; i < to; i++) pending.add(i);
                    Map<Integer, Throwable> itemErrors = new HashMap<>();
                    Throwable batchError = null;
                    int attempt = 0;
                    while (true) {
                        attempt++;
                        List<I> batch = new ArrayList<>(pending.size());
                        for (int i : pending) batch.add(items.get(i));
                        boolean retry;
                        try {
                            List<O> out = fn.apply(batch);
                            if (out == null || out.size() != batch.size()) {
                                throw new IllegalStateException("batch function returned "
                                        + (out == null ? "null" : out.size() + " results") + " for " + batch.size() + " items");
                            }
                            List<Integer> again = new ArrayList<>();
                            synchronized (results) {
                                for (int j = 0; j < out.size(); j++) {
                                    String why = itemCheck.failure(out.get(j));
                                    if (why == null) {
                                        results.set(pending.get(j), out.get(j));
                                    } else {
                                        again.add(pending.get(j));
                                        itemErrors.put(pending.get(j), new ItemFailedException(why));
                                    }
                                }
                            }
                            batchError = null;
                            listener.batchDone(done.addAndGet(pending.size() - again.size()), failed.get(), n);
                            pending = again;
                            retry = !pending.isEmpty();
                        } catch (InterruptedException e) {
                            throw e;
                        } catch (Exception e) {
                            batchError = e;
                            retry = transientError.test(e);
                        }
                        if (!retry || attempt > maxRetries || stop.get()) break;
                        retriesUsed.incrementAndGet();
                        sleeper.sleep(backoff.delayMillis(attempt - 1));
                    }
                    if (pending.isEmpty()) return null;
                    for (int i : pending) {
                        failures.add(new Failure<>(items.get(i), batchError != null ? batchError : itemErrors.get(i), attempt));
                    }
                    listener.batchDone(done.get(), failed.addAndGet(pending.size()), n);
                    if (policy == ErrorPolicy.FAIL_FAST) stop.set(true);
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            ex.shutdownNow();
        }
        Result<I, O> r = new Result<>(results, List.copyOf(failures), retriesUsed.get());
        if (policy == ErrorPolicy.FAIL_FAST && !r.ok()) throw new PoolFailedException(r);
        return r;
    }

    /** FAIL_FAST stopped the run; the partial result is attached. */
    public static final class PoolFailedException extends RuntimeException {
        private final Result<?, ?> result;

        PoolFailedException(Result<?, ?> r) {
            super(r.failures().size() + " item(s) failed; first: " + r.failures().get(0).item() + ": "
                    + r.failures().get(0).error().getMessage() + " after " + r.failures().get(0).attempts() + " attempt(s)",
                    r.failures().get(0).error());
            this.result = r;
        }

        public Result<?, ?> result() {
            return result;
        }
    }
}
