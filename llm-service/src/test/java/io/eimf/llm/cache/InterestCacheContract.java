package io.eimf.llm.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.llm.api.Interest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What every store behind {@link InterestCache} must do, run on embedded SQLite ({@link InterestCacheTest}) and on a
 * real PostgreSQL server ({@link PostgresInterestCacheITCase}): put and get, first writer wins, persistence across a
 * restart without the memory layer, and two cache instances (two service processes) sharing one database.
 */
abstract class InterestCacheContract {
    /** A fresh, empty store for this test: a SQLite path or a JDBC URL. */
    protected abstract String location();

    protected String user() {
        return null;
    }

    protected String password() {
        return null;
    }

    protected InterestCache open(int memoryEntries, int connections) {
        return new InterestCache(location(), user(), password(), memoryEntries, connections);
    }

    static CacheEntry entry(String key, String name) {
        return new CacheEntry(key, "openai", "m", "interests-v1", List.of(new Interest(name, "d.", List.of("1"))),
                "2026-11-27T00:00:00Z", 123, 10, 5, 2);
    }

    @Test
    void putThenGetReturnsTheEntryAndUnknownKeysAreEmpty() {
        try (InterestCache c = open(10, 2)) {
            c.put(entry("k1", "Space"));
            assertEquals(entry("k1", "Space"), c.get("k1").orElseThrow());
            assertTrue(c.get("k2").isEmpty());
            assertEquals(1, c.size());
        }
    }

    @Test
    void aSecondWriterOfTheSameKeyKeepsTheFirstAnswerInMemoryToo() {
        try (InterestCache c = open(10, 2)) {
            c.put(entry("k1", "Space"));
            c.put(entry("k1", "Other"));
            assertEquals(1, c.size());
            assertEquals("Space", c.get("k1").orElseThrow().interests().get(0).name(),
                    "the memory layer must not keep an answer the database refused");
        }
    }

    @Test
    void survivesReopeningWithoutTheMemoryLayer() {
        try (InterestCache c = open(10, 2)) {
            c.put(entry("k1", "Space"));
            c.put(entry("k2", "Cooking"));
        }
        try (InterestCache c = open(0, 1)) {
            assertEquals(entry("k1", "Space"), c.get("k1").orElseThrow());
            assertEquals(entry("k2", "Cooking"), c.get("k2").orElseThrow());
            assertEquals(2, c.size());
        }
    }

    @Test
    void memoryLayerIsBoundedAndTheDatabaseStillAnswers() {
        try (InterestCache c = open(2, 1)) {
            for (int i = 0; i < 5; i++) c.put(entry("k" + i, "n" + i));
            c.clearMemory();
            for (int i = 0; i < 5; i++) assertEquals("n" + i, c.get("k" + i).orElseThrow().interests().get(0).name());
        }
    }

    /**
     * Two instances (as two service processes would) write the same keys at the same time, each with its own answer:
     * every key ends up stored once, and both instances then return the same answer for it, memory layers included.
     */
    @Test
    void twoInstancesSharingOneDatabaseAgreeOnEveryKey() throws Exception {
        int keys = 60;
        try (InterestCache a = open(1000, 3); InterestCache b = open(1000, 3)) {
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 6; t++) {
                    InterestCache c = t % 2 == 0 ? a : b;
                    String writer = (t % 2 == 0 ? "a" : "b") + t;
                    done.add(pool.submit((Callable<Void>) () -> {
                        go.await();
                        for (int i = 0; i < keys; i++) c.put(entry("k" + i, writer));
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : done) f.get();
            } finally {
                pool.shutdownNow();
            }
            assertEquals(keys, a.size());
            assertEquals(keys, b.size());
            for (int i = 0; i < keys; i++) {
                assertEquals(a.get("k" + i).orElseThrow(), b.get("k" + i).orElseThrow(), "k" + i);
            }
            a.clearMemory();
            for (int i = 0; i < keys; i++) {
                assertEquals(a.get("k" + i).orElseThrow(), b.get("k" + i).orElseThrow(), "k" + i + " from the database");
            }
            // A key written by one instance is a hit for the other.
            a.put(entry("only-a", "Space"));
            assertEquals(entry("only-a", "Space"), b.get("only-a").orElseThrow());
        }
    }
}
