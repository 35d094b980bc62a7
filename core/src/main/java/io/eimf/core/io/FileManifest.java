package io.eimf.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@code files} map written into model.json, MLmodel and checkpoints: relative path to SHA-256 (lower-case hex
 * of the file's bytes, as {@link ContentHash#ofFile}) and byte count. Verification checks every size first (cheap,
 * and it catches truncation before anything is hashed or allocated), then every hash, and names the file.
 */
public final class FileManifest {
    private FileManifest() {}

    /** One file's hash and size. */
    public record Entry(String sha256, long bytes) {}

    /** The entries of {@code names} (relative paths) under {@code dir}, sorted by path. */
    public static Map<String, Entry> of(Path dir, Collection<String> names) throws IOException {
        Map<String, Entry> out = new TreeMap<>();
        for (String n : names) {
            Path p = dir.resolve(n);
            out.put(n, new Entry(ContentHash.ofFile(p), Files.size(p)));
        }
        return out;
    }

    /**
     * Reads a {@code files} map from parsed JSON/YAML ({@code {path: {sha256, bytes}}}).
     *
     * @return the map, or empty when {@code node} is null
     * @throws IllegalArgumentException naming the entry when one is malformed
     */
    public static Optional<Map<String, Entry>> parse(Object node) {
        if (node == null) return Optional.empty();
        if (!(node instanceof Map<?, ?> m)) throw new IllegalArgumentException("'files' is not a map");
        Map<String, Entry> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String path = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof Map<?, ?> v) || !(v.get("sha256") instanceof String h)
                    || !h.matches("[0-9a-f]{64}") || !(v.get("bytes") instanceof Number b) || b.longValue() < 0) {
                throw new IllegalArgumentException("'files' entry '" + path + "' needs sha256 (64 hex digits) and bytes (>= 0)");
            }
            out.put(path, new Entry(h, b.longValue()));
        }
        return Optional.of(out);
    }

    /**
     * Null when every listed file under {@code dir} is a plain file (not a link) inside {@code dir} with the listed
     * size and hash; else what is wrong, naming the file. Sizes are all checked before any hash.
     */
    public static String verify(Path dir, Map<String, Entry> files) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        for (Map.Entry<String, Entry> e : files.entrySet()) {
            Path p = root.resolve(e.getKey()).normalize();
            if (!p.startsWith(root) || p.equals(root) || Path.of(e.getKey()).isAbsolute()) {
                return e.getKey() + ": listed path leaves " + dir;
            }
            if (Files.isSymbolicLink(p)) return p + ": is a symbolic link";
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) return p + ": missing";
            long size = Files.size(p);
            if (size != e.getValue().bytes()) {
                return p + ": " + size + " bytes, expected " + e.getValue().bytes()
                        + (size < e.getValue().bytes() ? " (truncated)" : "");
            }
        }
        for (Map.Entry<String, Entry> e : files.entrySet()) {
            Path p = root.resolve(e.getKey()).normalize();
            String h = ContentHash.ofFile(p);
            if (!h.equals(e.getValue().sha256())) {
                return p + ": SHA-256 " + h + " differs from the recorded " + e.getValue().sha256() + " (changed or damaged)";
            }
        }
        return null;
    }
}
