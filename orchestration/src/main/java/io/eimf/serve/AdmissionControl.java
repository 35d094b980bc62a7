package io.eimf.serve;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission control for the recommendation endpoint: a fixed pool of workers behind a bounded queue, and a deadline
 * per request counted from its arrival. A request that finds the queue full, or so long that by the recent
 * service time it would wait more than half its deadline, is refused at once (503, retry later); one still queued
 * at its deadline is dropped unstarted (503);
 * one still running at its deadline is answered 504 (its worker finishes the computation and discards it). Under
 * overload the server so answers every request quickly, either with a recommendation or with a cheap refusal,
 * spends no worker time on answers nobody will wait for, and serves at full speed again once the burst ends.
 * Thread-safe.
 */
final class AdmissionControl implements AutoCloseable {
    /** Why a request was not served; the label of {@code eimf_serve_rejected_total}. */
    enum Rejection {
        /** The queue was full on arrival: 503. */
        QUEUE_FULL("queue_full"),
        /** The deadline passed while the request waited in the queue: 503, it never ran. */
        DEADLINE_QUEUED("deadline_queued"),
        /** The deadline passed while the request was computed: 504. */
        DEADLINE_RUNNING("deadline_running");

        final String label;

        Rejection(String label) {
            this.label = label;
        }
    }

    /** Thrown when a request is not served; {@link #status()} is the HTTP answer. */
    static final class Rejected extends RuntimeException {
        final Rejection reason;
        private final int status;

        Rejected(Rejection reason, int status, String message) {
            super(message, null, false, false);
            this.reason = reason;
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    private final ThreadPoolExecutor pool;
    private final int workers;
    private final int queue;
    private final long deadlineNanos;
    private final AtomicInteger busy = new AtomicInteger();
    /** Recent service time of one request in nanoseconds (exponentially weighted, 1/16 per sample). */
    private final java.util.concurrent.atomic.AtomicLong serviceNanos = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param workers requests computed at once (threads)
     * @param queue requests that may wait for a worker
     * @param deadline longest time from arrival to answer
     */
    AdmissionControl(int workers, int queue, Duration deadline) {
        if (workers < 1) throw new IllegalArgumentException("workers must be >= 1, got " + workers);
        if (queue < 0) throw new IllegalArgumentException("queue must be >= 0, got " + queue);
        if (deadline.isZero() || deadline.isNegative()) throw new IllegalArgumentException("deadline must be > 0");
        this.workers = workers;
        this.queue = queue;
        this.deadlineNanos = deadline.toNanos();
        AtomicInteger n = new AtomicInteger();
        // A SynchronousQueue-like hand-off when queue is 0; otherwise a bounded FIFO. AbortPolicy: a full queue
        // throws instead of blocking the HTTP thread.
        this.pool = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS,
                queue == 0 ? new java.util.concurrent.SynchronousQueue<>() : new ArrayBlockingQueue<>(queue), r -> {
                    Thread t = new Thread(r, "eimf-serve-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        pool.prestartAllCoreThreads();
    }

    /**
     * Runs {@code work} on a worker and returns its result, or throws {@link Rejected} when the request is not
     * admitted or misses its deadline; {@code arrivedNanos} is {@link System#nanoTime()} at arrival. Exceptions of
     * {@code work} are rethrown as they are.
     */
    <T> T run(long arrivedNanos, Callable<T> work) throws Exception {
        long deadline = arrivedNanos + deadlineNanos;
        java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
        long service = serviceNanos.get();
        FutureTask<T> task = new FutureTask<>(() -> {
            // Dropped unstarted when its deadline passed in the queue (the waiting HTTP thread has answered 503).
            long start = System.nanoTime();
            if (start - deadline > 0) {
                throw new Rejected(Rejection.DEADLINE_QUEUED, 503, "expired");
            }
            started.set(true);
            busy.incrementAndGet();
            try {
                return work.call();
            } finally {
                busy.decrementAndGet();
                long took = System.nanoTime() - start;
                serviceNanos.getAndUpdate(old -> old == 0 ? took : old + (took - old) / 16);
            }
        });
        int waiting = pool.getQueue().size();
        // Queue for at most half the deadline: the other half is the margin for computing on a busy machine, so a
        // request that is started almost always finishes in time (a 504 wastes a worker and the client's wait). An
        // empty queue always admits, so the estimate keeps learning (a slow cold start cannot lock the server out).
        if (waiting > 0 && waiting * service / workers > deadlineNanos / 2) {
            throw new Rejected(Rejection.QUEUE_FULL, 503, "overloaded: " + waiting + " requests queued would "
                    + "take past half the " + deadlineNanos / 1_000_000 + " ms deadline; retry later");
        }
        try {
            pool.execute(task);
        } catch (RejectedExecutionException e) {
            throw new Rejected(Rejection.QUEUE_FULL, 503, "overloaded: " + workers + " requests running and "
                    + queue + " queued; retry later");
        }
        try {
            return task.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            long ms = deadlineNanos / 1_000_000;
            if (pool.remove(task) || !started.get()) {
                throw new Rejected(Rejection.DEADLINE_QUEUED, 503, "overloaded: waited " + ms
                        + " ms (the request deadline) for a worker; retry later");
            }
            task.cancel(false);
            throw new Rejected(Rejection.DEADLINE_RUNNING, 504, "the request took longer than its deadline of " + ms
                    + " ms");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof Rejected r && r.reason == Rejection.DEADLINE_QUEUED) {
                throw new Rejected(Rejection.DEADLINE_QUEUED, 503, "overloaded: the " + deadlineNanos / 1_000_000
                        + " ms deadline would pass before a worker could answer; retry later");
            }
            if (c instanceof Exception x) throw x;
            if (c instanceof Error x) throw x;
            throw e;
        }
    }

    /** Recent service time of one request. */
    Duration serviceTime() {
        return Duration.ofNanos(serviceNanos.get());
    }

    /** Requests waiting for a worker now. */
    int queued() {
        return pool.getQueue().size();
    }

    /** Requests being computed now. */
    int busy() {
        return busy.get();
    }

    int workers() {
        return workers;
    }

    int queueCapacity() {
        return queue;
    }

    Duration deadline() {
        return Duration.ofNanos(deadlineNanos);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
