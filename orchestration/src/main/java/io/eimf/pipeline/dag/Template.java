package io.eimf.pipeline.dag;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * {@code ${...}} references in task arguments: {@code ${out}} (this task's output folder), {@code ${work}} (the work
 * folder), {@code ${params.NAME}}, {@code ${env.NAME}}, {@code ${TASK}} (another task's output folder, which also
 * makes it a dependency), {@code ${read:TASK/FILE}} (the trimmed text of a file in that folder, e.g. a run id) and
 * {@code ${path:TASK/FILE}} (that text as a path, resolved against the task's folder when relative: outputs name
 * their own files relatively because they are written under a temporary name and renamed), and {@code ${opt:TASK}}
 * (TASK's folder, or empty when TASK failed or was skipped: a soft dependency on an optional task).
 * {@code $${} writes a literal {@code ${}.
 */
public final class Template {
    private Template() {}

    /** The names referenced in {@code s}, in order. */
    public static List<String> references(String s) {
        List<String> out = new ArrayList<>();
        substitute(s, name -> {
            out.add(name);
            return "";
        });
        return out;
    }

    /** Task ids referenced by any of the arguments (names that are not out, work, params.*, env.*). */
    public static Set<String> taskReferences(List<String> args) {
        Set<String> out = new LinkedHashSet<>();
        for (String a : args) {
            for (String r : references(a)) if (isTaskReference(r)) out.add(taskOf(r));
        }
        return out;
    }

    /** Whether a reference names a task. */
    public static boolean isTaskReference(String name) {
        return !name.equals("out") && !name.equals("work") && !name.startsWith("params.") && !name.startsWith("env.");
    }

    /** The task a task reference names: {@code train} for {@code train} and for {@code read:train/run_id.txt}. */
    public static String taskOf(String reference) {
        if (reference.startsWith("opt:")) return reference.substring(4);
        if (!isFileReference(reference)) return reference;
        String rest = reference.substring(5);
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new IllegalArgumentException("${" + reference + "} must look like ${read:TASK/FILE} or ${path:TASK/FILE}");
        }
        return rest.substring(0, slash);
    }

    /** Whether a reference is {@code read:TASK/FILE} or {@code path:TASK/FILE}. */
    public static boolean isFileReference(String reference) {
        return reference.startsWith("read:") || reference.startsWith("path:");
    }

    /** The file part of {@code read:TASK/FILE}. */
    public static String fileOf(String reference) {
        String rest = reference.substring(5);
        return rest.substring(rest.indexOf('/') + 1);
    }

    /** Replaces every {@code ${name}} with {@code resolver.apply(name)}. */
    public static String substitute(String s, UnaryOperator<String> resolver) {
        StringBuilder b = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '$' && s.startsWith("$${", i)) {
                b.append("${");
                i += 3;
            } else if (c == '$' && s.startsWith("${", i)) {
                int end = s.indexOf('}', i + 2);
                if (end < 0) throw new IllegalArgumentException("unclosed ${ in '" + s + "'");
                String name = s.substring(i + 2, end).trim();
                if (name.isEmpty()) throw new IllegalArgumentException("empty ${} in '" + s + "'");
                b.append(resolver.apply(name));
                i = end + 1;
            } else {
                b.append(c);
                i++;
            }
        }
        return b.toString();
    }
}
