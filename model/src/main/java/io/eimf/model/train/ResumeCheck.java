package io.eimf.model.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a run was started with (dataset content hash, seed, model config, every training option, ESIM settings),
 * kept as {@code run.json} in each checkpoint so that {@code train --resume} continues only the same run: a resumed
 * run with another dataset or {@code --lr} would otherwise be recorded in metrics.json as if the new options had held
 * from step 0. Values are compared flattened to dotted keys ({@code options.learningRate}); keys ending in
 * {@code .dir} are locations, not content, and are not compared.
 */
public final class ResumeCheck {
    /** The file inside the checkpoint directory. */
    public static final String FILE = "run.json";

    private ResumeCheck() {}

    /** The identity flattened to sorted dotted keys with JSON text values. */
    public static Map<String, String> flatten(Object identity) {
        Map<String, String> out = new TreeMap<>();
        flatten("", Json.mapper().valueToTree(identity), out);
        out.keySet().removeIf(k -> k.equals("dir") || k.endsWith(".dir"));
        return out;
    }

    private static void flatten(String prefix, JsonNode n, Map<String, String> out) {
        if (n.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else {
            out.put(prefix, n.toString());
        }
    }

    static void write(Path checkpointTmp, Map<String, String> flat) throws IOException {
        Files.writeString(checkpointTmp.resolve(FILE), Json.pretty(new TreeMap<>(flat))); // sorted: same bytes each time
    }

    /** The identity a checkpoint was written with; null for checkpoints written before it was recorded. */
    public static Map<String, String> read(Path checkpointDir) throws IOException {
        Path f = checkpointDir.resolve(FILE);
        if (!Files.isRegularFile(f)) return null;
        Checkpoint.verifyFileHashes(checkpointDir); // a tampered run.json must not pass for a matching identity
        Map<String, String> out = new TreeMap<>();
        Json.mapper().readTree(f.toFile()).fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** Fields whose values differ (or exist on one side only), each as "key: stored -> now". */
    public static List<String> differences(Map<String, String> stored, Map<String, String> now) {
        List<String> diff = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(stored.keySet());
        keys.addAll(now.keySet());
        for (String k : keys) {
            String a = stored.get(k);
            String b = now.get(k);
            if (!Objects.equals(a, b)) diff.add(k + ": " + (a == null ? "(absent)" : a) + " -> " + (b == null ? "(absent)" : b));
        }
        return diff;
    }

    /**
     * Restores a checkpoint cut between the renames of its atomic replace, then returns the differences between the
     * identity stored in it and {@code now} (empty when they agree or the checkpoint predates run.json).
     */
    public static List<String> check(Path checkpointDir, Map<String, String> now) throws IOException {
        AtomicOutput.recover(checkpointDir);
        Map<String, String> stored = read(checkpointDir);
        return stored == null ? List.of() : differences(stored, now);
    }
}
