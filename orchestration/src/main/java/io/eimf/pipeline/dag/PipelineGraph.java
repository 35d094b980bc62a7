package io.eimf.pipeline.dag;

import io.eimf.core.cli.EimfException;
import io.eimf.pipeline.spec.PipelineSpec;
import io.eimf.pipeline.spec.TaskSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The dependency graph of a pipeline: each task's upstream tasks (references plus {@code after}), checked acyclic. */
public final class PipelineGraph {
    private final PipelineSpec spec;
    private final Map<String, List<String>> upstream;
    private final Map<String, Set<String>> soft = new HashMap<>();
    private final List<String> order;

    private PipelineGraph(PipelineSpec spec, Map<String, List<String>> upstream, List<String> order) {
        this.spec = spec;
        this.upstream = upstream;
        this.order = order;
    }

    /** Builds and validates the graph: unknown references, unknown params and cycles are errors naming the task. */
    public static PipelineGraph of(PipelineSpec spec) {
        Map<String, List<String>> up = new LinkedHashMap<>();
        Map<String, Set<String>> softRefs = new HashMap<>();
        for (TaskSpec t : spec.tasks()) {
            Set<String> deps = new LinkedHashSet<>();
            Set<String> hard = new HashSet<>();
            List<String> refs = new ArrayList<>();
            for (String a : t.command()) {
                try {
                    refs.addAll(Template.references(a));
                } catch (IllegalArgumentException e) {
                    throw new EimfException(spec.source() + ": tasks." + t.id() + ": " + e.getMessage());
                }
            }
            for (String r : refs) {
                if (r.startsWith("params.")) {
                    if (!spec.params().containsKey(r.substring(7))) {
                        throw new EimfException(spec.source() + ": tasks." + t.id() + ": ${" + r
                                + "} but the pipeline declares no such parameter under 'params'");
                    }
                } else if (Template.isTaskReference(r)) {
                    String ref = r;
                    try {
                        r = Template.taskOf(r);
                    } catch (IllegalArgumentException e) {
                        throw new EimfException(spec.source() + ": tasks." + t.id() + ": " + e.getMessage());
                    }
                    if (Template.isFileReference(ref) && Template.fileOf(ref).contains("..")) {
                        throw new EimfException(spec.source() + ": tasks." + t.id() + ": ${" + ref + "} may not leave the task's folder");
                    }
                    if (spec.task(r) == null) {
                        throw new EimfException(spec.source() + ": tasks." + t.id() + ": ${" + r
                                + "} names no task (tasks: " + String.join(", ", spec.tasks().stream().map(TaskSpec::id).toList()) + ")");
                    }
                    if (r.equals(t.id())) throw new EimfException(spec.source() + ": tasks." + t.id() + " refers to itself");
                    deps.add(r);
                    if (ref.startsWith("opt:")) {
                        if (!spec.task(r).optional()) {
                            throw new EimfException(spec.source() + ": tasks." + t.id() + ": ${" + ref + "} is for optional tasks; "
                                    + r + " is not optional (use ${" + r + "})");
                        }
                        softRefs.computeIfAbsent(t.id(), k -> new LinkedHashSet<>()).add(r);
                    } else {
                        hard.add(r);
                    }
                }
            }
            for (String a : t.after()) {
                // after: [opt:x] waits for optional task x without needing it to succeed.
                String d = a.startsWith("opt:") ? a.substring(4) : a;
                deps.add(d);
                if (a.startsWith("opt:")) {
                    if (!spec.task(d).optional()) {
                        throw new EimfException(spec.source() + ": tasks." + t.id() + ".after: opt:" + d
                                + " is for optional tasks; " + d + " is not optional");
                    }
                    softRefs.computeIfAbsent(t.id(), k -> new LinkedHashSet<>()).add(d);
                } else {
                    hard.add(d);
                }
            }
            up.put(t.id(), List.copyOf(deps));
            // A task referenced both softly and plainly is a hard dependency.
            softRefs.getOrDefault(t.id(), new HashSet<>()).removeIf(hard::contains);
        }
        PipelineGraph g = new PipelineGraph(spec, up, topoOrder(spec, up));
        g.soft.putAll(softRefs);
        return g;
    }

    private static List<String> topoOrder(PipelineSpec spec, Map<String, List<String>> up) {
        List<String> order = new ArrayList<>();
        Map<String, Integer> state = new HashMap<>(); // 1 visiting, 2 done
        for (String id : up.keySet()) visit(spec, id, up, state, new ArrayDeque<>(), order);
        return List.copyOf(order);
    }

    private static void visit(PipelineSpec spec, String id, Map<String, List<String>> up, Map<String, Integer> state,
                              Deque<String> path, List<String> order) {
        Integer s = state.get(id);
        if (s != null && s == 2) return;
        path.addLast(id);
        if (s != null && s == 1) {
            List<String> p = new ArrayList<>(path);
            throw new EimfException(spec.source() + ": dependency cycle: "
                    + String.join(" -> ", p.subList(p.indexOf(id), p.size())));
        }
        state.put(id, 1);
        for (String d : up.get(id)) visit(spec, d, up, state, path, order);
        state.put(id, 2);
        path.removeLast();
        order.add(id);
    }

    public PipelineSpec spec() {
        return spec;
    }

    /** Whether {@code dep} is only a soft ({@code ${opt:...}}) dependency of {@code id}. */
    public boolean isSoft(String id, String dep) {
        return soft.getOrDefault(id, Set.of()).contains(dep);
    }

    /** Tasks this one waits for. */
    public List<String> upstream(String id) {
        return upstream.get(id);
    }

    /** All task ids, dependencies before dependents (stable: declaration order where free). */
    public List<String> order() {
        return order;
    }

    /** The task and everything it depends on, transitively. */
    public Set<String> closure(String id) {
        Set<String> out = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(id));
        while (!todo.isEmpty()) {
            String t = todo.pop();
            if (out.add(t)) todo.addAll(upstream.get(t));
        }
        return out;
    }
}
