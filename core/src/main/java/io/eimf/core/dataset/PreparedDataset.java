package io.eimf.core.dataset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.io.ContentHash;
import io.eimf.core.io.Tsv;
import io.eimf.core.json.Json;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A prepared dataset directory (format version {@value #FORMAT_VERSION}): {@code manifest.json},
 * {@code items.jsonl} and {@code sequences.tsv}, as specified in docs/DATA.md. Readable without Flink.
 */
public final class PreparedDataset {
    /** Version of the on-disk layout; readers refuse newer versions. */
    public static final int FORMAT_VERSION = 1;
    public static final String MANIFEST = "manifest.json";
    public static final String ITEMS = "items.jsonl";
    public static final String SEQUENCES = "sequences.tsv";
    /** Header line of sequences.tsv. */
    public static final String SEQUENCES_HEADER = "user\traw_user\trole\thistory\titems\ttimestamps";

    private final Path dir;
    private final DatasetManifest manifest;
    private final List<Item> items;
    private final List<UserSequence> sequences;

    private PreparedDataset(Path dir, DatasetManifest manifest, List<Item> items, List<UserSequence> sequences) {
        this.dir = dir;
        this.manifest = manifest;
        this.items = Collections.unmodifiableList(items);
        this.sequences = Collections.unmodifiableList(sequences);
    }

    /** Where it was read from. */
    public Path dir() {
        return dir;
    }

    public DatasetManifest manifest() {
        return manifest;
    }

    /** Items ordered by dense id: {@code items().get(id - 1).id() == id}. */
    public List<Item> items() {
        return items;
    }

    /** The item with dense id {@code id} (1-based). */
    public Item item(int id) {
        return items.get(id - 1);
    }

    /** Number of items; valid dense ids are 1..numItems. */
    public int numItems() {
        return items.size();
    }

    /** Every user's sequence, ordered by dense user id. */
    public List<UserSequence> sequences() {
        return sequences;
    }

    /** The item sequences a model trains on (non-empty ones only). */
    public List<int[]> trainingSequences() {
        List<int[]> out = new ArrayList<>();
        for (UserSequence s : sequences) {
            int[] t = s.trainingItems();
            if (t.length > 0) out.add(t);
        }
        return out;
    }

    /** Evaluation cases for VALID or TEST, ordered by user. */
    public List<EvaluationCase> evaluationCases(SplitRole role) {
        List<EvaluationCase> out = new ArrayList<>();
        for (UserSequence s : sequences) {
            EvaluationCase c = s.evaluationCase(role);
            if (c != null) out.add(c);
        }
        return out;
    }

    /**
     * Reads and validates a dataset directory; errors name the file and line. The files must hold what the manifest
     * counts (users, items, interactions), so a file cut at a line boundary is refused; the content hash is not
     * recomputed ({@link #read(Path, boolean)} does).
     */
    public static PreparedDataset read(Path dir) throws IOException {
        return read(dir, false);
    }

    /**
     * {@link #read(Path)}, and with {@code verifyHash} also recomputes the SHA-256 of items.jsonl and
     * sequences.tsv and refuses a dataset whose content is not the one its manifest (and every run that records
     * it) names.
     */
    public static PreparedDataset read(Path dir, boolean verifyHash) throws IOException {
        // a `prepare --overwrite` killed between its two renames leaves the previous dataset aside: put it back
        if (!Files.isDirectory(dir) && dir.toAbsolutePath().getParent() != null) AtomicOutput.recover(dir);
        if (!Files.isDirectory(dir)) throw new DatasetFormatException(dir + ": not a prepared dataset directory");
        Path mf = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(mf)) throw new DatasetFormatException(mf + ": missing (not a prepared dataset)");
        DatasetManifest manifest = Json.read(mf, DatasetManifest.class);
        if (manifest.formatVersion() > FORMAT_VERSION || manifest.formatVersion() < 1) {
            throw new DatasetFormatException(mf + ": format version " + manifest.formatVersion()
                    + " is not supported (this EIMF reads up to " + FORMAT_VERSION + ")");
        }
        List<Item> items = readItems(dir.resolve(ITEMS));
        List<UserSequence> seqs = readSequences(dir.resolve(SEQUENCES), items.size());
        checkCounts(mf, manifest.counts(), items, seqs);
        if (verifyHash && manifest.contentHash() != null) {
            String actual = ContentHash.ofFiles(dir, ITEMS, SEQUENCES);
            if (!actual.equals(manifest.contentHash())) {
                throw new DatasetFormatException(mf + ": contentHash " + manifest.contentHash() + " but items.jsonl and "
                        + "sequences.tsv hash to " + actual + " (changed or damaged after prepare; prepare it again)");
            }
        }
        return new PreparedDataset(dir, manifest, items, seqs);
    }

    private static void checkCounts(Path mf, DatasetManifest.Counts c, List<Item> items, List<UserSequence> seqs)
            throws DatasetFormatException {
        if (c == null) return;
        long interactions = 0;
        for (UserSequence s : seqs) interactions += s.length();
        List<String> bad = new ArrayList<>();
        if (c.items() != items.size()) bad.add("items " + c.items() + " but " + ITEMS + " has " + items.size());
        if (c.users() != seqs.size()) bad.add("users " + c.users() + " but " + SEQUENCES + " has " + seqs.size());
        if (c.interactions() != interactions) {
            bad.add("interactions " + c.interactions() + " but " + SEQUENCES + " has " + interactions);
        }
        if (!bad.isEmpty()) {
            throw new DatasetFormatException(mf + ": counts do not match the files (" + String.join("; ", bad)
                    + "): a file was cut short or changed after prepare");
        }
    }

    private static List<Item> readItems(Path file) throws IOException {
        List<Item> items = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) continue;
                Item item;
                try {
                    item = parseItem(line);
                } catch (RuntimeException | JsonProcessingException e) {
                    throw new DatasetFormatException(file, n, "bad item: " + e.getMessage());
                }
                if (item.id() != items.size() + 1) {
                    throw new DatasetFormatException(file, n, "item ids must be dense and ordered: expected "
                            + (items.size() + 1) + ", found " + item.id());
                }
                items.add(item);
            }
        }
        return items;
    }

    private static List<UserSequence> readSequences(Path file, int numItems) throws IOException {
        List<UserSequence> seqs = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (!SEQUENCES_HEADER.equals(header)) {
                throw new DatasetFormatException(file, 1, "expected header '" + SEQUENCES_HEADER + "'");
            }
            String line;
            long n = 1;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isEmpty()) continue;
                UserSequence s;
                try {
                    s = parseSequence(line);
                } catch (RuntimeException e) {
                    throw new DatasetFormatException(file, n, "bad sequence: " + e.getMessage());
                }
                if (s.user() != seqs.size()) {
                    throw new DatasetFormatException(file, n, "user ids must be dense and ordered: expected "
                            + seqs.size() + ", found " + s.user());
                }
                for (int it : s.items()) {
                    if (it < 1 || it > numItems) {
                        throw new DatasetFormatException(file, n, "item id " + it + " outside 1.." + numItems);
                    }
                }
                seqs.add(s);
            }
        }
        return seqs;
    }

    /** One items.jsonl line. */
    public static String formatItem(Item item) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("id", item.id());
        o.put("rawId", item.rawId());
        o.put("title", item.title());
        ArrayNode cats = o.putArray("categories");
        item.categories().forEach(cats::add);
        o.put("text", item.text());
        return o.toString();
    }

    /** Parses one items.jsonl line. */
    public static Item parseItem(String line) throws JsonProcessingException {
        JsonNode o = Json.mapper().readTree(line);
        List<String> cats = new ArrayList<>();
        JsonNode c = o.get("categories");
        if (c != null) c.forEach(x -> cats.add(x.asText()));
        JsonNode id = o.get("id");
        JsonNode raw = o.get("rawId");
        if (id == null || raw == null) throw new IllegalArgumentException("missing field 'id' or 'rawId'");
        return new Item(id.asInt(), raw.asText(), text(o, "title"), cats, text(o, "text"));
    }

    private static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    /** One sequences.tsv line. */
    public static String formatSequence(UserSequence s) {
        StringBuilder b = new StringBuilder(16 + s.length() * 16);
        b.append(s.user()).append('\t').append(Tsv.escape(s.rawUser())).append('\t').append(s.role().label())
                .append('\t').append(s.historyLength()).append('\t');
        int[] items = s.items();
        for (int i = 0; i < items.length; i++) {
            if (i > 0) b.append(' ');
            b.append(items[i]);
        }
        b.append('\t');
        long[] ts = s.timestamps();
        for (int i = 0; i < ts.length; i++) {
            if (i > 0) b.append(' ');
            b.append(ts[i]);
        }
        return b.toString();
    }

    /** Parses one sequences.tsv line. */
    public static UserSequence parseSequence(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 6) throw new IllegalArgumentException("expected 6 tab-separated fields, found " + f.length);
        int[] items = parseInts(f[4], "items");
        long[] ts = parseLongs(f[5], "timestamps");
        return new UserSequence(Integer.parseInt(f[0]), Tsv.unescape(f[1]), SplitRole.parse(f[2]),
                Integer.parseInt(f[3]), items, ts);
    }

    private static int[] parseInts(String s, String field) {
        if (s.isEmpty()) return new int[0];
        String[] p = s.split(" ");
        int[] out = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            try {
                out[i] = Integer.parseInt(p[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(field + "[" + i + "] is not an integer: '" + p[i] + "'");
            }
        }
        return out;
    }

    private static long[] parseLongs(String s, String field) {
        if (s.isEmpty()) return new long[0];
        String[] p = s.split(" ");
        long[] out = new long[p.length];
        for (int i = 0; i < p.length; i++) {
            try {
                out[i] = Long.parseLong(p[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(field + "[" + i + "] is not an integer: '" + p[i] + "'");
            }
        }
        return out;
    }

    /**
     * Writes a complete dataset atomically: items and sequences, then the manifest with its content hash and the
     * tool version filled in.
     */
    public static PreparedDataset write(Path dir, DatasetManifest manifest, List<Item> items,
                                        List<UserSequence> sequences, boolean overwrite) throws IOException {
        Path written = AtomicOutput.directory(dir, overwrite, tmp -> {
            try (BufferedWriter w = Files.newBufferedWriter(tmp.resolve(ITEMS), StandardCharsets.UTF_8)) {
                for (Item it : items) {
                    w.write(formatItem(it));
                    w.write('\n');
                }
            }
            try (BufferedWriter w = Files.newBufferedWriter(tmp.resolve(SEQUENCES), StandardCharsets.UTF_8)) {
                w.write(SEQUENCES_HEADER);
                w.write('\n');
                for (UserSequence s : sequences) {
                    w.write(formatSequence(s));
                    w.write('\n');
                }
            }
            seal(tmp, manifest);
        });
        return read(written);
    }

    /**
     * Completes a directory whose items.jsonl and sequences.tsv are written: computes the content hash and writes
     * manifest.json. Used by writers that produce the two data files themselves (the Flink job).
     */
    public static DatasetManifest seal(Path dir, DatasetManifest m) throws IOException {
        String hash = ContentHash.ofFiles(dir, ITEMS, SEQUENCES);
        DatasetManifest sealed = new DatasetManifest(FORMAT_VERSION, m.source(), m.feedback(), m.filter(),
                m.split(), m.counts(), hash, io.eimf.core.provenance.ToolVersion.get(),
                m.createdAt() != null ? m.createdAt() : java.time.Instant.now().toString());
        Files.writeString(dir.resolve(MANIFEST), Json.pretty(sealed));
        return sealed;
    }
}
