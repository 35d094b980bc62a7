package io.eimf.model.export;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.json.Json;
import io.eimf.model.ibim.IbimConfig;
import io.eimf.model.ibim.IbimModel;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * An exported IBIM model directory, self-contained for serving (no dataset needed): {@code model.json} (format,
 * config, provenance, metrics), {@code weights.bin} (item table and backbone weights, float32) and
 * {@code items.tsv} (raw/dense ids and titles). Written atomically.
 */
public final class ModelDirectory {
    public static final String FORMAT = "eimf-ibim";
    public static final int FORMAT_VERSION = 1;
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
     */
    public record Descriptor(String format, int formatVersion, IbimConfig config, Map<String, Object> provenance,
                             Map<String, Object> metrics) {}

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
            Files.writeString(tmp.resolve(MODEL_JSON), Json.pretty(
                    new Descriptor(FORMAT, FORMAT_VERSION, model.config(), provenance, metrics)));
        });
    }

    /** Reads a model directory; errors name the file. */
    public static Loaded read(Path dir) throws IOException {
        Path mj = dir.resolve(MODEL_JSON);
        if (!Files.isRegularFile(mj)) throw new IOException(mj + ": missing (not an exported EIMF model directory)");
        JsonNode n = Json.mapper().readTree(mj.toFile());
        if (!FORMAT.equals(n.path("format").asText())) throw new IOException(mj + ": format is not " + FORMAT);
        if (n.path("formatVersion").asInt() > FORMAT_VERSION) {
            throw new IOException(mj + ": format version " + n.path("formatVersion").asInt() + " is newer than this EIMF reads");
        }
        Descriptor d = Json.read(mj, Descriptor.class);
        IbimModel model = new IbimModel(d.config(), DataType.FLOAT, 0);
        Path wf = dir.resolve(WEIGHTS);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(wf)))) {
            model.params().read(in, wf.toString());
        }
        ItemVocabulary vocab = ItemVocabulary.read(dir.resolve(ITEMS));
        if (vocab.size() != d.config().numItems()) {
            throw new IOException(dir.resolve(ITEMS) + ": " + vocab.size() + " items, model.json says " + d.config().numItems());
        }
        return new Loaded(model, vocab, d);
    }
}
