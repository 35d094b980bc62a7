package io.eimf.llm.prompt;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.eimf.core.json.Json;
import io.eimf.llm.api.Interest;
import io.eimf.llm.api.InterestRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Checks an LLM answer against the {@link InterestPrompt} contract: one JSON object, the asked number of interests,
 * each with a short name, a one-sentence description and evidence numbers drawn from the input; evidence numbers
 * become the caller's item ids. Only a valid answer may be cached.
 */
public final class AnswerValidator {
    private static final ObjectReader STRICT = Json.mapper().reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private AnswerValidator() {}

    /**
     * The outcome: interests when valid, else the problems (each naming the field).
     *
     * @param interests the interests, evidence as item ids (empty when invalid)
     * @param problems what is wrong (empty when valid)
     */
    public record Result(List<Interest> interests, List<String> problems) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    /** Validates {@code answer} for {@code request}. */
    public static Result validate(String answer, InterestRequest request) {
        List<String> problems = new ArrayList<>();
        if (answer == null || answer.isBlank()) return invalid("the answer is empty");
        String text = stripFence(answer.strip());
        JsonNode root;
        try {
            root = STRICT.readTree(text);
        } catch (Exception e) {
            return invalid("the answer is not one JSON object: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) return invalid("the answer is not a JSON object");
        JsonNode list = root.get("interests");
        if (list == null || !list.isArray()) return invalid("field 'interests' is missing or not an array");
        int n = list.size();
        if (n < request.minInterests() || n > request.maxInterests()) {
            problems.add("'interests' has " + n + " entries; between " + request.minInterests() + " and "
                    + request.maxInterests() + " were asked for");
        }
        int items = request.items().size();
        List<Interest> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < n; i++) {
            JsonNode e = list.get(i);
            String at = "interests[" + i + "]";
            if (!e.isObject()) {
                problems.add(at + " is not an object");
                continue;
            }
            String name = text(e.get("name"));
            String desc = text(e.get("description"));
            if (name == null || name.isBlank()) {
                problems.add(at + ".name is missing or empty");
            } else {
                name = name.strip().replaceAll("\\s+", " ");
                if (name.length() > InterestPrompt.MAX_NAME_CHARS
                        || name.split(" ").length > InterestPrompt.MAX_NAME_WORDS) {
                    problems.add(at + ".name is longer than " + InterestPrompt.MAX_NAME_WORDS + " words / "
                            + InterestPrompt.MAX_NAME_CHARS + " characters");
                } else if (!names.add(name.toLowerCase(Locale.ROOT))) {
                    problems.add(at + ".name '" + name + "' repeats an earlier interest");
                }
            }
            if (desc == null || desc.isBlank()) {
                problems.add(at + ".description is missing or empty");
            } else {
                desc = desc.strip().replaceAll("\\s+", " ");
                if (desc.length() > InterestPrompt.MAX_DESCRIPTION_CHARS) {
                    problems.add(at + ".description is longer than " + InterestPrompt.MAX_DESCRIPTION_CHARS
                            + " characters");
                }
            }
            JsonNode ev = e.get("evidence");
            Set<Integer> refs = new LinkedHashSet<>();
            if (ev == null || !ev.isArray() || ev.isEmpty()) {
                problems.add(at + ".evidence is missing or empty");
            } else {
                for (JsonNode r : ev) {
                    if (!r.isIntegralNumber() || r.asLong() < 1 || r.asLong() > items) {
                        problems.add(at + ".evidence holds " + r + ", not an item number in 1.." + items);
                    } else {
                        refs.add(r.asInt());
                    }
                }
            }
            List<String> ids = new ArrayList<>();
            for (int ref : refs) ids.add(request.items().get(ref - 1).id());
            out.add(new Interest(name, desc, ids));
        }
        return problems.isEmpty() ? new Result(out, List.of()) : new Result(List.of(), problems);
    }

    private static Result invalid(String problem) {
        return new Result(List.of(), List.of(problem));
    }

    private static String text(JsonNode n) {
        return n != null && n.isTextual() ? n.asText() : null;
    }

    /** Accepts one Markdown code fence around the object (chat models add it even in JSON mode). */
    private static String stripFence(String s) {
        if (!s.startsWith("```")) return s;
        int nl = s.indexOf('\n');
        if (nl < 0 || !s.endsWith("```") || s.length() < nl + 4) return s;
        return s.substring(nl + 1, s.length() - 3).strip();
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
