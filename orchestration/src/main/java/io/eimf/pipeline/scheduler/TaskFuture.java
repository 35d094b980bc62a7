package io.eimf.pipeline.scheduler;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The eventual result of a task submitted to a {@link Scheduler} (Ray's ObjectRef): pass it as a dependency of
 * other tasks, {@link #get()} it, or {@link Scheduler#wait} on several.
 *
 * @param <T> the task's result type
 */
public final class TaskFuture<T> {
    private final String name;
    final CompletableFuture<T> future = new CompletableFuture<>();

    TaskFuture(String name) {
        this.name = name;
    }

    /** The name it was submitted under. */
    public String name() {
        return name;
    }

    /** Blocks until the task finished; its failure (or an upstream one) is rethrown as {@link TaskFailedException}. */
    public T get() throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw TaskFailedException.wrap(name, e.getCause());
        } catch (CancellationException e) {
            throw new TaskFailedException(name, "cancelled", e);
        }
    }

    /** Like {@link #get()} with a time limit. */
    public T get(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw TaskFailedException.wrap(name, e.getCause());
        }
    }

    public boolean isDone() {
        return future.isDone();
    }

    /** Finished with a failure (its own or an upstream task's). */
    public boolean isFailed() {
        return future.isCompletedExceptionally();
    }

    /**
     * A future that completes when this one does, with its result, or with null where this one failed: a soft
     * dependency, for a task that can run without an optional upstream.
     */
    public TaskFuture<T> orNull() {
        TaskFuture<T> f = new TaskFuture<>(name);
        future.whenComplete((v, e) -> f.future.complete(e == null ? v : null));
        return f;
    }

    /** A view for composing with other async code. */
    public CompletableFuture<T> toCompletableFuture() {
        return future.copy();
    }

    @Override
    public String toString() {
        return "TaskFuture[" + name + (isDone() ? (isFailed() ? ", failed" : ", done") : "") + "]";
    }
}
