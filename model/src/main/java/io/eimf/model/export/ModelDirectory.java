package io.eimf.model.export;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.io.FileManifest;
import io.eimf.core.json.Json;
import io.eimf.model.ibim.IbimConfig;
import io.eimf.model.ibim.IbimModel;
import io.eimf.model.nn.ArrayFile;
import io.eimf.model.nn.ModelFormatException;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * An exported IBIM model directory, self-contained for serving (no dataset needed): {@code model.json} (format,
 * config, provenance, metrics, SHA-256 and size of the other files), {@code weights.bin} (item table and backbone
 * weights, float32) and {@code items.tsv} (raw/dense ids and titles). Written atomically.
 */
public final class ModelDirectory {
    public static final String FORMAT = "eimf-ibim";
    /** 2 added the {@code files} map; 1 (no hashes) still loads, with a warning. */
    public static final int FORMAT_VERSION = 2;
    public static final String MODEL_JSON = "model.json";
    public static final String WEIGHTS = "weights.bin";
    public static final String ITEMS = "items.tsv";

    private ModelDirectory() {}

    /**
     * model.json.
     *
     * @param format always {@value #FORMAT}
     * @param formatVersion layout version
     * @param config the model shape
     * @param provenance dataset hash and split, training seed and options, backend, tool version, time
     * @param metrics validation/test metrics with their protocol (may be empty)
     * @param files SHA-256 and size of weights.bin and items.tsv (absent, null, in format 1)
     */
    public record Descriptor(String format, int formatVersion, IbimConfig config, Map<String, Object> provenance,
                             Map<String, Object> metrics, Map<String, FileManifest.Entry> files) {}

    /** A loaded model with its vocabulary and descriptor. */
    public record Loaded(IbimModel model, ItemVocabulary vocabulary, Descriptor descriptor) {}

    public static Path write(Path dir, IbimModel model, ItemVocabulary vocab, Map<String, Object> provenance,
                             Map<String, Object> metrics, boolean overwrite) throws IOException {
        if (vocab.size() != model.config().numItems()) {
            throw new IllegalArgumentException("vocabulary has " + vocab.size() + " items, model " + model.config().numItems());
        }
        return AtomicOutput.directory(dir, overwrite, tmp -> {
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                    Files.newOutputStream(tmp.resolve(WEIGHTS))))) {
                model.params().write(out, false);
            }
            vocab.write(tmp.resolve(ITEMS));
            Files.writeString(tmp.resolve(MODEL_JSON), Json.pretty(new Descriptor(FORMAT, FORMAT_VERSION,
                    model.config(), provenance, metrics, FileManifest.of(tmp, List.of(WEIGHTS, ITEMS)))));
        });
    }

    /**
     * Reads a model directory; errors name the file. Format 2: every file's size, then SHA-256, is checked against
     * model.json before anything is parsed; format 1 (no hashes) loads with a warning on stderr. Either way the
     * weights' headers must match the config and fit in weights.bin before any array is allocated.
     */
    public static Loaded read(Path dir) throws IOException {
        Path mj = dir.resolve(MODEL_JSON);
        if (!Files.isRegularFile(mj)) throw new ModelFormatException(mj + ": missing (not an exported EIMF model directory)");
        JsonNode n = Json.mapper().readTree(mj.toFile());
        if (!FORMAT.equals(n.path("format").asText())) throw new ModelFormatException(mj + ": format is not " + FORMAT);
        int version = n.path("formatVersion").asInt();
        if (version > FORMAT_VERSION) {
            throw new ModelFormatException(mj + ": format version " + version + " is newer than this EIMF reads");
        }
        Descriptor d;
        try {
            d = Json.read(mj, Descriptor.class);
        } catch (IOException | RuntimeException e) {
            throw new ModelFormatException(mj + ": " + e.getMessage(), e);
        }
        verifyFiles(dir, d);
        Path wf = dir.resolve(WEIGHTS);
        requireRoomFor(d.config(), wf);
        IbimModel model = new IbimModel(d.config(), DataType.FLOAT, 0);
        try (ArrayFile in = ArrayFile.open(wf)) {
            model.params().read(in);
        }
        ItemVocabulary vocab = ItemVocabulary.read(dir.resolve(ITEMS));
        if (vocab.size() != d.config().numItems()) {
            throw new ModelFormatException(dir.resolve(ITEMS) + ": " + vocab.size() + " items, model.json says " + d.config().numItems());
        }
        return new Loaded(model, vocab, d);
    }

    /**
     * The folder's ANN index ({@value io.eimf.model.inference.AnnIndex#FILE}) when model.json lists one, else null.
     * Call after {@link #read}, which verified its size and SHA-256 with the other files; the index must also have
     * been built from this weights.bin (its header records weights.bin's SHA-256).
     */
    public static io.eimf.model.inference.AnnIndex readIndex(Path dir, Descriptor d) throws IOException {
        String name = io.eimf.model.inference.AnnIndex.FILE;
        if (d.files() == null || !d.files().containsKey(name)) return null;
        Path f = dir.resolve(name);
        io.eimf.model.inference.AnnIndex index = io.eimf.model.inference.AnnIndex.read(f, d.config().numItems(),
                d.config().dim());
        String weights = d.files().get(WEIGHTS).sha256();
        if (!weights.equals(index.weightsSha256())) {
            throw new ModelFormatException(f + ": built from weights with SHA-256 " + index.weightsSha256()
                    + ", but " + dir.resolve(WEIGHTS) + " is " + weights + " (rebuild it: eimf index build)");
        }
        return index;
    }

    /**
     * Adds (or replaces) the ANN index of an exported model folder (format 2): first drops any listed index from
     * model.json (a server reloading meanwhile serves exactly instead of failing a hash check), then writes the
     * index atomically, then lists it in model.json's {@code files} map, atomically. A crash leaves the folder
     * loadable: at worst an unlisted index file, which is ignored.
     */
    public static void writeIndex(Path dir, io.eimf.model.inference.AnnIndex index) throws IOException {
        Path mj = dir.resolve(MODEL_JSON);
        Descriptor d = Json.read(mj, Descriptor.class);
        if (d.formatVersion() < 2 || d.files() == null) {
            throw new ModelFormatException(mj + ": format " + d.formatVersion() + " has no 'files' map to list an index "
                    + "in (export the model again)");
        }
        String name = io.eimf.model.inference.AnnIndex.FILE;
        java.util.TreeMap<String, FileManifest.Entry> files = new java.util.TreeMap<>(d.files());
        files.remove(name);
        dropIndex(dir);
        AtomicOutput.file(dir.resolve(name), index::write);
        files.putAll(FileManifest.of(dir, List.of(name)));
        AtomicOutput.text(mj, Json.pretty(with(d, files)));
    }

    /**
     * Builds the ANN index of an exported folder from its verified weights and lists it ({@link #writeIndex}); any
     * listed index is dropped first, so a damaged one can be replaced.
     *
     * @param progress where progress lines go (null: none)
     */
    public static io.eimf.model.inference.AnnIndex buildIndex(Path dir, io.eimf.model.inference.AnnIndex.Params params,
                                                              java.io.PrintStream progress) throws IOException {
        if (!Files.isRegularFile(dir.resolve(MODEL_JSON))) {
            throw new ModelFormatException(dir.resolve(MODEL_JSON) + ": missing (not an exported EIMF model directory)");
        }
        if (dropIndex(dir) && progress != null) {
            progress.println("index build: previous " + io.eimf.model.inference.AnnIndex.FILE + " unlisted; a server "
                    + "on this folder answers exactly until the new one is written");
        }
        io.eimf.model.inference.Recommender r = io.eimf.model.inference.Recommender.load(dir, false);
        Descriptor d = r.descriptor();
        if (d.files() == null || !d.files().containsKey(WEIGHTS)) {
            throw new ModelFormatException(dir.resolve(MODEL_JSON) + ": format " + d.formatVersion()
                    + " lists no file hashes; export the model again before building an index");
        }
        io.eimf.model.inference.AnnIndex index = io.eimf.model.inference.AnnIndex.build(r.itemTable(),
                d.config().dim(), params, d.files().get(WEIGHTS).sha256(), progress);
        writeIndex(dir, index);
        return index;
    }

    /**
     * Removes the ANN index from model.json's {@code files} map (atomically; the file itself stays, unlisted and
     * ignored), so the folder loads and serves exactly whatever state the index file is in. Returns whether one was
     * listed.
     */
    public static boolean dropIndex(Path dir) throws IOException {
        Path mj = dir.resolve(MODEL_JSON);
        Descriptor d = Json.read(mj, Descriptor.class);
        if (d.files() == null || !d.files().containsKey(io.eimf.model.inference.AnnIndex.FILE)) return false;
        java.util.TreeMap<String, FileManifest.Entry> files = new java.util.TreeMap<>(d.files());
        files.remove(io.eimf.model.inference.AnnIndex.FILE);
        AtomicOutput.text(mj, Json.pretty(with(d, files)));
        return true;
    }

    private static Descriptor with(Descriptor d, Map<String, FileManifest.Entry> files) {
        return new Descriptor(d.format(), d.formatVersion(), d.config(), d.provenance(), d.metrics(), files);
    }

    /** Checks the {@code files} map (format 2) or warns that there is none (format 1). */
    static void verifyFiles(Path dir, Descriptor d) throws IOException {
        Path mj = dir.resolve(MODEL_JSON);
        if (d.formatVersion() >= 2) {
            if (d.files() == null || !d.files().keySet().containsAll(List.of(WEIGHTS, ITEMS))) {
                throw new ModelFormatException(mj + ": format " + d.formatVersion() + " needs a 'files' entry for "
                        + WEIGHTS + " and " + ITEMS);
            }
            String problem = FileManifest.verify(dir, d.files());
            if (problem != null) throw new ModelFormatException(problem + " (per " + mj + ")");
        } else {
            System.err.println("warning: " + mj + " is format " + d.formatVersion() + " with no file hashes; "
                    + "loading without an integrity check (export it again to add them)");
        }
    }

    /**
     * Refuses a config whose item table and backbone (at least (numItems+1)*d + d*d float32 values) cannot be in
     * weights.bin, before the model is allocated: a damaged or hostile model.json cannot make the loader take
     * memory the file does not back.
     */
    static void requireRoomFor(IbimConfig c, Path weights) throws IOException {
        if (!Files.isRegularFile(weights)) throw new ModelFormatException(weights + ": missing");
        long need;
        try {
            need = Math.multiplyExact(4L, Math.addExact(Math.multiplyExact(c.numItems() + 1L, (long) c.dim()),
                    Math.multiplyExact((long) c.dim(), (long) c.dim())));
        } catch (ArithmeticException e) {
            need = Long.MAX_VALUE;
        }
        long have = Files.size(weights);
        if (have < need) {
            throw new ModelFormatException(weights + ": " + have + " bytes cannot hold the weights model.json describes ("
                    + c.numItems() + " items x d=" + c.dim() + " need at least " + need + " bytes)");
        }
    }
}
