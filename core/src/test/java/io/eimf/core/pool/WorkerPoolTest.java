package io.eimf.core.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {
    private static final List<Integer> ITEMS = IntStream.range(0, 23).boxed().toList();

    @Test
    void batchesRespectConcurrencyAndKeepOrder() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
        WorkerPool<Integer, Integer> pool = new WorkerPool<Integer, Integer>(batch -> {
            peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            sizes.add(batch.size());
            Thread.sleep(20);
            inFlight.decrementAndGet();
            return batch.stream().map(x -> x * x).toList();
        }).concurrency(3).batchSize(5);
        WorkerPool.Result<Integer, Integer> r = pool.run(ITEMS);
        assertTrue(r.ok());
        for (int i = 0; i < ITEMS.size(); i++) assertEquals(i * i, r.results().get(i));
        assertTrue(peak.get() <= 3 && peak.get() >= 2, "peak " + peak.get());
        assertEquals(5, sizes.size());
        assertEquals(23, sizes.stream().mapToInt(Integer::intValue).sum());
    }

    @Test
    void transientErrorsAreRetriedWithExponentialBackoff() throws Exception {
        Map<Integer, AtomicInteger> calls = new ConcurrentHashMap<>();
        List<Long> sleeps = Collections.synchronizedList(new ArrayList<>());
        WorkerPool<Integer, String> pool = new WorkerPool<Integer, String>(batch -> {
            int n = calls.computeIfAbsent(batch.get(0), k -> new AtomicInteger()).incrementAndGet();
            if (batch.get(0) == 4 && n <= 3) throw new IOException("503 from the LLM service");
            return batch.stream().map(String::valueOf).toList();
        }).concurrency(2).retries(3).backoff(Duration.ofMillis(100), Duration.ofMillis(250)).sleeper(sleeps::add);
        WorkerPool.Result<Integer, String> r = pool.run(List.of(1, 2, 3, 4, 5));
        assertTrue(r.ok());
        assertEquals(3, r.retries());
        assertEquals(4, calls.get(4).get());
        assertEquals(3, sleeps.size());
        // full jitter under caps of 100, 200, then 250 (Backoff)
        assertTrue(sleeps.get(0) >= 0 && sleeps.get(0) <= 100, sleeps.toString());
        assertTrue(sleeps.get(1) >= 0 && sleeps.get(1) <= 200, sleeps.toString());
        assertTrue(sleeps.get(2) >= 0 && sleeps.get(2) <= 250, sleeps.toString());
    }

    @Test
    void permanentErrorsAreNotRetriedAndContinuePolicyKeepsGoing() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        WorkerPool<Integer, Integer> pool = new WorkerPool<Integer, Integer>(batch -> {
            calls.incrementAndGet();
            if (batch.contains(7)) throw new IllegalArgumentException("bad prompt for item 7");
            return batch;
        }).batchSize(2).retries(5).onError(WorkerPool.ErrorPolicy.CONTINUE).sleeper(ms -> {});
        WorkerPool.Result<Integer, Integer> r = pool.run(ITEMS);
        assertEquals(2, r.failures().size()); // the batch [6, 7]
        assertEquals(1, r.failures().get(0).attempts());
        assertNull(r.results().get(6));
        assertNull(r.results().get(7));
        assertEquals(22, r.results().get(22));
        assertEquals(12, calls.get());
    }

    @Test
    void failFastStopsAndReportsTheFirstFailure() {
        WorkerPool<Integer, Integer> pool = new WorkerPool<Integer, Integer>(batch -> {
            throw new IOException("connection refused");
        }).concurrency(1).retries(1).sleeper(ms -> {});
        WorkerPool.PoolFailedException e = assertThrows(WorkerPool.PoolFailedException.class, () -> pool.run(ITEMS));
        assertTrue(e.getMessage().contains("connection refused") && e.getMessage().contains("2 attempt"), e.getMessage());
        assertTrue(e.result().failures().size() < ITEMS.size(), "fail-fast should not attempt every item");
    }

    @Test
    void itemFailuresAreRetriedAloneAndTheRestOfTheBatchIsKept() throws Exception {
        List<List<Integer>> calls = Collections.synchronizedList(new ArrayList<>());
        Map<Integer, AtomicInteger> asked = new ConcurrentHashMap<>();
        WorkerPool<Integer, String> pool = new WorkerPool<Integer, String>(batch -> {
            calls.add(List.copyOf(batch));
            List<String> out = new ArrayList<>();
            for (int x : batch) {
                int n = asked.computeIfAbsent(x, k -> new AtomicInteger()).incrementAndGet();
                // 2 recovers on its second attempt, 3 never does
                out.add(x == 3 || (x == 2 && n < 2) ? "junk" : "ok" + x);
            }
            return out;
        }).batchSize(4).concurrency(1).retries(2).onError(WorkerPool.ErrorPolicy.CONTINUE).sleeper(ms -> {})
                .itemFailedWhen(r -> r.equals("junk") ? "invalid answer" : null);
        WorkerPool.Result<Integer, String> r = pool.run(List.of(0, 1, 2, 3, 4));
        assertEquals(List.of(List.of(0, 1, 2, 3), List.of(2, 3), List.of(3), List.of(4)), calls);
        assertEquals(List.of("ok0", "ok1", "ok2"), r.results().subList(0, 3));
        assertNull(r.results().get(3));
        assertEquals("ok4", r.results().get(4));
        assertEquals(1, r.failures().size());
        WorkerPool.Failure<Integer> f = r.failures().get(0);
        assertEquals(3, f.item());
        assertEquals(3, f.attempts());
        assertTrue(f.error() instanceof WorkerPool.ItemFailedException && f.error().getMessage().equals("invalid answer"));
        assertEquals(2, r.retries());
    }
}
