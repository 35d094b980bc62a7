package io.eimf.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class AdmissionControlTest {
    @Test
    void aFullQueueIsRefusedAtOnceAndTheServerServesAgainAfterwards() throws Exception {
        try (AdmissionControl a = new AdmissionControl(1, 1, Duration.ofSeconds(30))) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(1);
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> call(a, () -> {
                running.countDown();
                release.await();
                return "first";
            }));
            running.await();
            CompletableFuture<String> queued = CompletableFuture.supplyAsync(() -> call(a, () -> "queued"));
            while (a.queued() < 1) Thread.sleep(1);
            AdmissionControl.Rejected r = assertThrows(AdmissionControl.Rejected.class,
                    () -> a.run(System.nanoTime(), () -> "third"));
            assertEquals(503, r.status());
            assertEquals(AdmissionControl.Rejection.QUEUE_FULL, r.reason);
            release.countDown();
            assertEquals("first", first.get());
            assertEquals("queued", queued.get());
            assertEquals("again", a.run(System.nanoTime(), () -> "again"));
            assertEquals(0, a.queued());
        }
    }

    @Test
    void aRequestThatWouldWaitPastItsDeadlineIsRefusedOnArrival() throws Exception {
        try (AdmissionControl a = new AdmissionControl(1, 100, Duration.ofMillis(300))) {
            // Teach it that one request takes about 200 ms.
            a.run(System.nanoTime(), () -> {
                Thread.sleep(200);
                return null;
            });
            assertTrue(a.serviceTime().toMillis() >= 150, a.serviceTime().toString());
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(1);
            CompletableFuture<String> busy = CompletableFuture.supplyAsync(() -> call(a, () -> {
                running.countDown();
                release.await();
                return "busy";
            }));
            running.await();
            // An empty queue always admits.
            CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> call(a, () -> "second"));
            while (a.queued() < 1) Thread.sleep(1);
            // Behind one queued request it would wait ~200 ms, more than half the deadline: refused now, not after
            // waiting out its deadline in the queue.
            AdmissionControl.Rejected r = assertThrows(AdmissionControl.Rejected.class,
                    () -> a.run(System.nanoTime(), () -> "third"));
            assertEquals(503, r.status());
            assertTrue(r.getMessage().contains("deadline"), r.getMessage());
            // Refused on arrival (QUEUE_FULL), not after waiting out its deadline in the queue (DEADLINE_QUEUED).
            assertEquals(AdmissionControl.Rejection.QUEUE_FULL, r.reason, r.getMessage());
            release.countDown();
            assertEquals("busy", busy.get());
            second.handle((v, e) -> v).get();
        }
    }

    private static String call(AdmissionControl a, java.util.concurrent.Callable<String> work) {
        try {
            return a.run(System.nanoTime(), work);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
