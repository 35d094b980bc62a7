package io.eimf.model.nn;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A few Java threads that run the independent parts of one training step (row blocks of a layer, user ranges of
 * capsule routing) at once, each calling BLAS and libnd4j with one thread. On a small machine this uses the second
 * core without OpenMP workers that spin while the other core is busy (docs/BENCHMARKS.md, train).
 *
 * <p>Rules for a part: it writes only into arrays (or views) that the caller allocated before {@link #run}, through
 * ops with explicit outputs, so nothing is allocated in another thread's ND4J workspace (workspaces are
 * thread-local; helper threads have none open). Which rows a part gets depends only on its index, and the caller
 * combines partial sums in part order, so results do not depend on timing. Idle helpers park on a queue (no spinning)
 * and are daemon threads that end after a minute idle or at {@link #close}.
 */
public final class StepThreads implements AutoCloseable {
    /** Everything on the calling thread. */
    public static final StepThreads SINGLE = new StepThreads(1);
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final int threads;
    private final ThreadPoolExecutor helpers;

    /** @param threads Java threads per step, the caller included (1 runs everything on the caller) */
    public StepThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("step threads must be positive");
        this.threads = threads;
        if (threads == 1) {
            helpers = null;
        } else {
            int pool = POOLS.incrementAndGet();
            AtomicInteger n = new AtomicInteger();
            helpers = new ThreadPoolExecutor(threads - 1, threads - 1, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    r -> {
                        Thread t = new Thread(r, "eimf-step-" + pool + "-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            helpers.allowCoreThreadTimeOut(true);
        }
    }

    /** The default: two threads where the machine has two processors or more (one on CUDA: one device stream). */
    public static int defaultThreads() {
        return Backend.isCuda() ? 1 : Math.min(2, Runtime.getRuntime().availableProcessors());
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code part.accept(p)} for p = 0 .. parts-1 and returns when all are done; rethrows the first failure (by
     * part index). Parts are claimed in order by the calling thread and the helpers alike, so when a helper is slow to
     * start (another process has the core) the caller runs its parts too instead of waiting: a busy machine costs at
     * most the one-thread time. A part's result does not depend on which thread ran it.
     */
    public void run(int parts, IntConsumer part) {
        if (parts <= 1 || helpers == null) {
            for (int p = 0; p < parts; p++) part.accept(p);
            return;
        }
        Batch batch = new Batch(parts, part);
        for (int h = 0; h < Math.min(threads, parts) - 1; h++) {
            helpers.execute(() -> {
                // helpers never open a workspace; should an op allocate a temporary, it goes to plain memory
                try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                    batch.work();
                }
            });
        }
        batch.work();
        batch.await();
    }

    /** One {@link #run}: the next unclaimed part, the parts not yet finished, the failures by part. */
    private static final class Batch {
        private final int parts;
        private final IntConsumer part;
        private final AtomicInteger next = new AtomicInteger();
        private final RuntimeException[] failures;
        private int unfinished;

        Batch(int parts, IntConsumer part) {
            this.parts = parts;
            this.part = part;
            this.failures = new RuntimeException[parts];
            this.unfinished = parts;
        }

        void work() {
            for (int p; (p = next.getAndIncrement()) < parts; ) {
                RuntimeException failure = null;
                try {
                    part.accept(p);
                } catch (RuntimeException e) {
                    failure = e;
                } catch (Error e) {
                    failure = new IllegalStateException(e);
                }
                synchronized (this) {
                    failures[p] = failure;
                    if (--unfinished == 0) notifyAll();
                }
            }
        }

        /** Parks until every part has finished (the caller has claimed or run all of them by now). */
        void await() {
            boolean interrupted = false;
            synchronized (this) {
                while (unfinished > 0) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
            for (RuntimeException f : failures) if (f != null) throw f;
        }
    }

    /** How many parts to cut {@code units} independent units into: at most {@link #threads()}, at least 1. */
    public int parts(long units) {
        return (int) Math.max(1, Math.min(threads, units));
    }

    /** The first unit of part {@code p} when {@code units} are cut into {@code parts} nearly equal blocks. */
    public static long start(long units, int parts, int p) {
        return units * p / parts;
    }

    @Override
    public void close() {
        if (helpers != null) helpers.shutdown();
    }
}
