package io.eimf.pipeline.spec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.eimf.core.cli.EimfException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a pipeline YAML file (format in docs/PIPELINE.md). Every error names the file, the line and the field, e.g.
 * {@code demo.yaml:14: tasks.train.kind: unknown kind 'trian'}.
 */
public final class PipelineSpecReader {
    /** The typed kinds and the {@code eimf} command each runs; {@code command} is the generic kind. */
    public static final Map<String, List<String>> KIND_COMMANDS = Map.of(
            "prepare", List.of("prepare"),
            "cluster", List.of("cluster"),
            "extract", List.of("extract"),
            "train", List.of("train"),
            "evaluate", List.of("evaluate"),
            "register", List.of("register"),
            "promote", List.of("promote"));
    /** Kinds that write no output folder; their stdout is their result. */
    private static final Set<String> NO_OUTPUT = Set.of("register", "promote");
    /** Kinds that are Flink jobs. */
    private static final Set<String> FLINK_KINDS = Set.of("prepare", "cluster");
    private static final Set<String> TOP_FIELDS = Set.of("pipeline", "description", "params", "tasks");
    private static final Set<String> TASK_FIELDS = Set.of("kind", "run", "args", "out", "after", "resources",
            "isolation", "optional", "retries", "flink", "env", "inputs");

    private final String source;
    private final Map<String, Integer> lines;

    private PipelineSpecReader(String source, Map<String, Integer> lines) {
        this.source = source;
        this.lines = lines;
    }

    /** Reads a pipeline file. */
    public static PipelineSpec read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new EimfException(file + ": no such pipeline file");
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Reads a pipeline bundled as a classpath resource, e.g. {@code pipelines/demo.yaml}. */
    public static PipelineSpec readResource(String resource) throws IOException {
        try (InputStream in = PipelineSpecReader.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new EimfException("no bundled pipeline " + resource);
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "classpath:" + resource);
        }
    }

    /** Parses YAML text; {@code source} names it in errors. */
    public static PipelineSpec parse(String yaml, String source) throws IOException {
        YAMLMapper mapper = new YAMLMapper();
        JsonNode root;
        try {
            root = mapper.readTree(yaml);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new EimfException(source + ":" + line + ": invalid YAML: " + e.getOriginalMessage());
        }
        return new PipelineSpecReader(source, lineIndex(yaml)).toSpec(root);
    }

    /** Maps each JSON pointer (/tasks/train/kind) to the line where it starts, for error messages. */
    private static Map<String, Integer> lineIndex(String yaml) throws IOException {
        Map<String, Integer> out = new HashMap<>();
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME) {
                    String ptr = p.getParsingContext().pathAsPointer().toString();
                    out.putIfAbsent(ptr, p.currentTokenLocation().getLineNr());
                } else if (p.getParsingContext().inArray()) {
                    out.putIfAbsent(p.getParsingContext().pathAsPointer().toString(),
                            p.currentTokenLocation().getLineNr());
                }
            }
        }
        return out;
    }

    private EimfException error(String pointer, String message) {
        Integer line = lines.get(pointer);
        String path = pointer.replaceFirst("^/", "").replace('/', '.');
        return new EimfException(source + (line != null ? ":" + line : "") + ": " + path + ": " + message);
    }

    private PipelineSpec toSpec(JsonNode root) {
        if (root == null || !root.isObject()) throw new EimfException(source + ": expected a YAML mapping at the top");
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!TOP_FIELDS.contains(f)) throw error("/" + f, "unknown field (expected one of " + TOP_FIELDS + ")");
        }
        String name = text(root, "pipeline", "/pipeline", true);
        if (!name.matches("[A-Za-z0-9_.-]+")) throw error("/pipeline", "name may use letters, digits, _ . - only");
        String description = root.has("description") ? root.get("description").asText() : "";
        Map<String, String> params = new LinkedHashMap<>();
        JsonNode p = root.get("params");
        if (p != null && !p.isNull()) {
            if (!p.isObject()) throw error("/params", "expected a mapping of name: value");
            p.fields().forEachRemaining(e -> {
                if (!e.getValue().isValueNode()) throw error("/params/" + e.getKey(), "expected a scalar value");
                params.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText());
            });
        }
        JsonNode tasks = root.get("tasks");
        if (tasks == null || !tasks.isObject() || tasks.isEmpty()) {
            throw error("/tasks", "expected a non-empty mapping of task id: task");
        }
        List<TaskSpec> list = new ArrayList<>();
        tasks.fields().forEachRemaining(e -> list.add(task(e.getKey(), e.getValue())));
        Set<String> ids = new LinkedHashSet<>();
        for (TaskSpec t : list) ids.add(t.id());
        for (TaskSpec t : list) {
            for (String a : t.after()) {
                String id = a.startsWith("opt:") ? a.substring(4) : a;
                if (!ids.contains(id)) throw error("/tasks/" + t.id() + "/after", "no task named '" + id + "'");
            }
        }
        return new PipelineSpec(name, description, params, list, source);
    }

    private TaskSpec task(String id, JsonNode n) {
        String at = "/tasks/" + id;
        if (!id.matches("[A-Za-z][A-Za-z0-9_-]*")) {
            throw error(at, "task ids start with a letter and use letters, digits, _ and - only");
        }
        if (!n.isObject()) throw error(at, "expected a mapping with at least 'kind'");
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!TASK_FIELDS.contains(f)) throw error(at + "/" + f, "unknown field (expected one of " + TASK_FIELDS + ")");
        }
        String kind = text(n, "kind", at + "/kind", true);
        List<String> command = new ArrayList<>();
        String outOption;
        if (kind.equals("command")) {
            JsonNode run = n.get("run");
            if (run == null || !run.isArray() || run.isEmpty()) {
                throw error(at + "/run", "a command task needs 'run': the eimf command words and arguments as a list");
            }
            run.forEach(x -> command.add(x.asText()));
            if (n.has("args")) throw error(at + "/args", "a command task takes its arguments in 'run'");
            outOption = n.has("out") ? optionName(n.get("out"), at + "/out") : null;
        } else {
            List<String> words = KIND_COMMANDS.get(kind);
            if (words == null) {
                throw error(at + "/kind", "unknown kind '" + kind + "' (one of command, "
                        + String.join(", ", new java.util.TreeSet<>(KIND_COMMANDS.keySet())) + ")");
            }
            if (n.has("run")) throw error(at + "/run", "only kind 'command' takes 'run'; use 'args'");
            command.addAll(words);
            JsonNode args = n.get("args");
            if (args != null && !args.isNull()) {
                if (!args.isObject()) throw error(at + "/args", "expected a mapping of option: value");
                args.fields().forEachRemaining(e -> addOption(command, e.getKey(), e.getValue(), at + "/args/" + e.getKey()));
            }
            if (kind.equals("train") && (args == null || !args.has("backbone"))) {
                throw error(at + "/args", "a train task needs args.backbone (comirec-sa, comirec-dr or mind)");
            }
            outOption = n.has("out") ? optionName(n.get("out"), at + "/out")
                    : NO_OUTPUT.contains(kind) ? null : "--out";
        }
        List<String> after = new ArrayList<>();
        JsonNode a = n.get("after");
        if (a != null) {
            if (a.isTextual()) after.add(a.asText());
            else if (a.isArray()) a.forEach(x -> after.add(x.asText()));
            else throw error(at + "/after", "expected a task id or a list of them");
        }
        Resources res = Resources.DEFAULT_TASK;
        JsonNode r = n.get("resources");
        if (r != null) {
            if (!r.isObject()) throw error(at + "/resources", "expected {cpu: N, gpu: N, memory: 2g}");
            StringBuilder b = new StringBuilder();
            r.fields().forEachRemaining(e -> b.append(e.getKey()).append('=').append(e.getValue().asText()).append(','));
            try {
                res = Resources.parse(b.toString(), Resources.DEFAULT_TASK);
            } catch (RuntimeException e) {
                throw error(at + "/resources", e.getMessage());
            }
        }
        TaskSpec.Isolation iso;
        try {
            iso = n.has("isolation") ? TaskSpec.Isolation.parse(n.get("isolation").asText()) : TaskSpec.Isolation.IN_PROCESS;
        } catch (IllegalArgumentException e) {
            throw error(at + "/isolation", e.getMessage());
        }
        boolean optional = bool(n, "optional", at, false);
        int retries = n.has("retries") ? n.get("retries").asInt(-1) : 0;
        if (retries < 0 || retries > 10) throw error(at + "/retries", "expected an integer 0..10");
        boolean flink = bool(n, "flink", at, FLINK_KINDS.contains(kind));
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode en = n.get("env");
        if (en != null) {
            if (!en.isObject()) throw error(at + "/env", "expected a mapping NAME: value");
            en.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        }
        List<String> inputs = new ArrayList<>();
        JsonNode in = n.get("inputs");
        if (in != null) {
            if (in.isTextual()) inputs.add(in.asText());
            else if (in.isArray()) in.forEach(x -> inputs.add(x.asText()));
            else throw error(at + "/inputs", "expected a path or a list of paths");
        }
        return new TaskSpec(id, kind, command, outOption, after, res, iso, optional, retries, flink, env, inputs);
    }

    private String optionName(JsonNode n, String at) {
        if (n.isBoolean() && !n.asBoolean()) return null;
        String s = n.asText();
        if (!s.startsWith("-")) throw error(at, "expected an option name like --out, or false");
        return s;
    }

    /** args: {epochs: 5} → --epochs 5; true → flag; false/null → omitted; a list → the option repeated. */
    private void addOption(List<String> cmd, String key, JsonNode v, String at) {
        String opt = key.startsWith("-") ? key : "--" + key;
        if (v == null || v.isNull() || (v.isBoolean() && !v.asBoolean())) return;
        if (v.isBoolean()) {
            cmd.add(opt);
        } else if (v.isArray()) {
            v.forEach(x -> {
                cmd.add(opt);
                cmd.add(x.asText());
            });
        } else if (v.isValueNode()) {
            cmd.add(opt);
            cmd.add(v.asText());
        } else {
            throw error(at, "expected a scalar, a list or a boolean");
        }
    }

    private boolean bool(JsonNode n, String field, String at, boolean def) {
        JsonNode v = n.get(field);
        if (v == null) return def;
        if (!v.isBoolean()) throw error(at + "/" + field, "expected true or false");
        return v.asBoolean();
    }

    private String text(JsonNode n, String field, String at, boolean required) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) throw error(at.substring(0, Math.max(0, at.lastIndexOf('/'))) , "missing field '" + field + "'");
            return null;
        }
        if (!v.isValueNode()) throw error(at, "expected a string");
        return v.asText();
    }
}
