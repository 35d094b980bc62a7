package io.eimf.pipeline.run;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state of a pipeline's latest run, rewritten atomically on every task transition.
 *
 * @param pipeline pipeline name
 * @param source the YAML it was read from
 * @param codeVersion code version in the task keys
 * @param resources the pool the run was given
 * @param startedAt ISO time the run began
 * @param updatedAt ISO time of the last change
 * @param finished whether the run ended (false after a kill)
 * @param pid the runner's process id
 * @param tasks per task, in pipeline order
 */
public record RunRecord(String pipeline, String source, String codeVersion, String resources, String startedAt,
                        String updatedAt, boolean finished, long pid, LinkedHashMap<String, TaskState> tasks) {
    public RunRecord {
        tasks = new LinkedHashMap<>(tasks);
    }

    public Map<String, TaskState> taskMap() {
        return tasks;
    }
}
