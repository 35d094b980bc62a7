package io.eimf.pipeline.spec;

import java.util.List;
import java.util.Map;

/**
 * One task of a pipeline, as declared in YAML.
 *
 * @param id the task's name, unique in the pipeline; other tasks refer to its output as {@code ${id}}
 * @param kind what it runs: {@code prepare, cluster, extract, train, evaluate, register, promote} (each runs the
 *     {@code eimf} command of that name) or {@code command} (any {@code eimf} command given in {@code run})
 * @param command the {@code eimf} command words and arguments; for typed kinds it is built from {@code args}
 * @param outOption the option that receives the task's output folder ({@code --out}); null when the command writes
 *     no folder (register, promote): its stdout is still kept
 * @param after tasks that must finish first besides those referenced in arguments
 * @param resources what the task needs while it runs
 * @param isolation {@code in-process} (default) or {@code process} (a separate JVM with the same classpath)
 * @param optional when true, a failure is reported but does not fail the pipeline (tasks after it are skipped)
 * @param retries extra attempts after a failure (for flaky external services)
 * @param flink whether the task is a Flink job that {@code --flink-url} sends to a cluster
 * @param env extra environment variables for {@code process} isolation
 * @param inputs external files or folders the task reads; their content goes into the task's key
 */
public record TaskSpec(String id, String kind, List<String> command, String outOption, List<String> after,
                       Resources resources, Isolation isolation, boolean optional, int retries, boolean flink,
                       Map<String, String> env, List<String> inputs) {
    public TaskSpec {
        command = List.copyOf(command);
        after = List.copyOf(after);
        env = Map.copyOf(env);
        inputs = List.copyOf(inputs);
    }

    /** Where a task runs. */
    public enum Isolation {
        IN_PROCESS("in-process"), PROCESS("process");

        private final String label;

        Isolation(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** Parses the YAML value. */
        public static Isolation parse(String s) {
            for (Isolation i : values()) if (i.label.equals(s)) return i;
            throw new IllegalArgumentException("isolation must be in-process or process, got '" + s + "'");
        }
    }
}
