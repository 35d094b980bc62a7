package io.eimf.pipeline.run;

import io.eimf.pipeline.spec.TaskSpec;
import java.nio.file.Path;
import java.util.List;

/** Runs one task's {@code eimf} command somewhere: in this JVM, in a child JVM, or on a Flink cluster. */
public interface TaskExecutor {
    /**
     * Runs {@code argv} (command words then arguments). Results printed to stdout go to {@code stdoutFile} and the
     * log; everything else to the log.
     *
     * @return the exit status (0 ok)
     */
    int run(TaskSpec task, List<String> argv, Path stdoutFile, TaskLog log) throws Exception;

    /** Where it runs, for progress lines: in-process, process, flink@URL. */
    String describe();
}
