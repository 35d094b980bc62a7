package io.eimf.pipeline.spec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pipeline read from YAML: a name, default parameters ({@code ${params.NAME}}, overridable on the command line)
 * and tasks in declaration order.
 *
 * @param name pipeline name; run records are kept per name in the work folder
 * @param description one line for {@code eimf pipeline list}
 * @param params default parameter values
 * @param tasks the tasks, in the order written
 * @param source the file it was read from (for error messages), or a resource name
 */
public record PipelineSpec(String name, String description, Map<String, String> params, List<TaskSpec> tasks,
                           String source) {
    public PipelineSpec {
        params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
        tasks = List.copyOf(tasks);
    }

    /** The task with this id, or null. */
    public TaskSpec task(String id) {
        for (TaskSpec t : tasks) if (t.id().equals(id)) return t;
        return null;
    }

    /** A copy with some parameters replaced; unknown names are an error so typos do not pass silently. */
    public PipelineSpec withParams(Map<String, String> overrides) {
        Map<String, String> p = new LinkedHashMap<>(params);
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            if (!p.containsKey(e.getKey())) {
                throw new io.eimf.core.cli.UsageException("--set " + e.getKey() + ": pipeline '" + name
                        + "' has no parameter '" + e.getKey() + "' (it has: " + String.join(", ", p.keySet()) + ")");
            }
            p.put(e.getKey(), e.getValue());
        }
        return new PipelineSpec(name, description, p, tasks, source);
    }

    /** Where relative paths in the file would be read from, if it is a file. */
    public Path sourceDir() {
        Path p = Path.of(source);
        return p.getParent() == null ? Path.of("") : p.getParent();
    }
}
