package io.eimf.pipeline.scheduler;

import io.eimf.pipeline.spec.Resources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs tasks on one machine the way Ray does on a cluster: {@link #submit} returns a {@link TaskFuture} at once; a
 * task starts when the futures it depends on are done and its declared {@link Resources} fit in what the pool has
 * left. The sum of running tasks' resources never exceeds the pool's total; a task that could never fit fails at
 * once instead of waiting forever. Ready tasks start in submission order, and a smaller task may start ahead of a
 * larger one that does not fit yet (backfilling).
 */
public final class Scheduler implements AutoCloseable {
    /** Work that receives the results of its dependencies, in the order they were given. */
    @FunctionalInterface
    public interface Task<T> {
        T run(List<Object> inputs) throws Exception;
    }

    private final Resources total;
    private final ExecutorService workers;
    private final LinkedList<Pending<?>> ready = new LinkedList<>();
    private Resources inUse = Resources.NONE;
    private double peakCpu;
    private int peakGpu;
    private long peakMemory;
    private int running;
    private int peakRunning;
    private boolean closed;

    private record Pending<T>(long seq, TaskFuture<T> future, Resources need, List<Object> inputs, Task<T> task) {}

    private final java.util.concurrent.atomic.AtomicLong submitted = new java.util.concurrent.atomic.AtomicLong();

    /** A scheduler over a pool of {@code total} resources. */
    public Scheduler(Resources total) {
        this.total = total;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "eimf-task-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The pool's total resources. */
    public Resources total() {
        return total;
    }

    /** Submits a task with no dependencies. */
    public <T> TaskFuture<T> submit(String name, Resources need, Task<T> task) {
        return submit(name, need, List.of(), task);
    }

    /**
     * Submits a task that runs once all of {@code deps} succeeded, receiving their results. If any dependency fails,
     * this task never runs and its future fails with {@link TaskFailedException#upstream()} true.
     */
    public <T> TaskFuture<T> submit(String name, Resources need, List<? extends TaskFuture<?>> deps, Task<T> task) {
        TaskFuture<T> f = new TaskFuture<>(name);
        long seq = submitted.getAndIncrement();
        synchronized (this) {
            if (closed) throw new IllegalStateException("scheduler is closed");
        }
        if (!total.fits(need)) {
            f.future.completeExceptionally(new TaskFailedException(name, "needs " + need
                    + " but the pool has only " + total + " (raise --resources or lower the task's resources)", null));
            return f;
        }
        CompletableFuture<?>[] cfs = deps.stream().map(d -> d.future).toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(cfs).whenComplete((v, err) -> {
            if (err != null) {
                String failed = deps.stream().filter(TaskFuture::isFailed).map(TaskFuture::name).findFirst().orElse("?");
                f.future.completeExceptionally(new TaskFailedException(name,
                        "not run: upstream task '" + failed + "' failed", err, true));
                return;
            }
            List<Object> inputs = new ArrayList<>(deps.size());
            for (TaskFuture<?> d : deps) inputs.add(d.future.join());
            synchronized (this) {
                // Keep the ready list in submission order, whatever order dependencies finished in.
                int i = ready.size();
                while (i > 0 && ready.get(i - 1).seq() > seq) i--;
                ready.add(i, new Pending<>(seq, f, need, inputs, task));
            }
            dispatch();
        });
        return f;
    }

    /**
     * Ray's {@code wait}: blocks until {@code numReturns} of the futures are done or the timeout passes, and returns
     * the done ones (in the order given).
     */
    public static List<TaskFuture<?>> wait(List<? extends TaskFuture<?>> futures, int numReturns, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Object signal = new Object();
        for (TaskFuture<?> f : futures) {
            f.future.whenComplete((v, e) -> {
                synchronized (signal) {
                    signal.notifyAll();
                }
            });
        }
        synchronized (signal) {
            while (true) {
                List<TaskFuture<?>> done = new ArrayList<>();
                for (TaskFuture<?> f : futures) if (f.isDone()) done.add(f);
                long left = deadline - System.nanoTime();
                if (done.size() >= Math.min(numReturns, futures.size()) || left <= 0) return done;
                TimeUnit.NANOSECONDS.timedWait(signal, left);
            }
        }
    }

    private void dispatch() {
        List<Runnable> start = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Pending<?>> it = ready.iterator(); it.hasNext(); ) {
                Pending<?> p = it.next();
                Resources free = total.minus(inUse);
                if (!free.fits(p.need())) continue;
                it.remove();
                inUse = inUse.plus(p.need());
                running++;
                peakRunning = Math.max(peakRunning, running);
                peakCpu = Math.max(peakCpu, inUse.cpu());
                peakGpu = Math.max(peakGpu, inUse.gpu());
                peakMemory = Math.max(peakMemory, inUse.memory());
                start.add(() -> execute(p));
            }
        }
        for (Runnable r : start) workers.execute(r);
    }

    private <T> void execute(Pending<T> p) {
        try {
            T result = p.task().run(p.inputs());
            release(p.need());
            p.future().future.complete(result);
        } catch (Throwable e) {
            release(p.need());
            p.future().future.completeExceptionally(TaskFailedException.wrap(p.future().name(), e));
        }
        dispatch();
    }

    private synchronized void release(Resources r) {
        inUse = inUse.minus(r);
        running--;
    }

    /** Resources held by running tasks now. */
    public synchronized Resources inUse() {
        return inUse;
    }

    /** The most of each resource held at once so far (each maximum taken separately). */
    public synchronized Resources peak() {
        return new Resources(peakCpu, peakGpu, peakMemory);
    }

    /** The most tasks running at once so far. */
    public synchronized int peakRunning() {
        return peakRunning;
    }

    /** Applies {@code fn} to every element as separate tasks and returns their futures. */
    public <I, T> List<TaskFuture<T>> map(String name, Resources need, List<I> items, Function<I, T> fn) {
        List<TaskFuture<T>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            I item = items.get(i);
            out.add(submit(name + "[" + i + "]", need, in -> fn.apply(item)));
        }
        return out;
    }

    /** Stops accepting tasks; running ones finish on their daemon threads. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        workers.shutdown();
    }
}
