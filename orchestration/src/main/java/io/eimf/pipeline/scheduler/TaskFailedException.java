package io.eimf.pipeline.scheduler;

/** A task failed, or could not run because a task it depends on failed ({@link #upstream()}). */
public class TaskFailedException extends RuntimeException {
    private final String task;
    private final boolean upstream;

    public TaskFailedException(String task, String message, Throwable cause) {
        this(task, message, cause, false);
    }

    TaskFailedException(String task, String message, Throwable cause, boolean upstream) {
        super(message, cause);
        this.task = task;
        this.upstream = upstream;
    }

    /** The task that failed. */
    public String task() {
        return task;
    }

    /** True when this task never ran because a dependency failed. */
    public boolean upstream() {
        return upstream;
    }

    static TaskFailedException wrap(String name, Throwable cause) {
        if (cause instanceof TaskFailedException t) return t;
        String msg = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new TaskFailedException(name, msg, cause);
    }
}
