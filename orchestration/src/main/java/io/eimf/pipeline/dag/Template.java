package io.eimf.pipeline.dag;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * {@code ${...}} references in task arguments: {@code ${out}} (this task's output folder), {@code ${work}} (the work
 * folder), {@code ${params.NAME}}, {@code ${env.NAME}} and {@code ${TASK}} (another task's output folder, which also
 * makes it a dependency). {@code $${} writes a literal {@code ${}.
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
            for (String r : references(a)) if (isTaskReference(r)) out.add(r);
        }
        return out;
    }

    /** Whether a reference names a task. */
    public static boolean isTaskReference(String name) {
        return !name.equals("out") && !name.equals("work") && !name.startsWith("params.") && !name.startsWith("env.");
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
