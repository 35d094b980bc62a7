package io.eimf.model.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eimf.core.dataset.Item;
import io.eimf.core.io.ContentHash;
import io.eimf.core.json.Json;
import io.eimf.model.ibim.IbimConfig;
import io.eimf.model.ibim.IbimModel;
import io.eimf.model.nn.ModelFormatException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Exported model folders are untrusted input: model.json's {@code files} map (SHA-256 and size) is checked before
 * anything is parsed, and no array is allocated beyond what weights.bin really holds; every refusal names the file.
 */
class ModelFilesTest {
    @TempDir
    Path tmp;

    private static final IbimConfig CONFIG = IbimConfig.defaults("comirec-sa", 8, 2, 6, 40);

    private Path export(String name) throws Exception {
        IbimModel model = new IbimModel(CONFIG, DataType.FLOAT, 5);
        List<Item> items = new ArrayList<>();
        for (int i = 1; i <= CONFIG.numItems(); i++) items.add(new Item(i, "r" + i, "item " + i, List.of(), null));
        return ModelDirectory.write(tmp.resolve(name), model, ItemVocabulary.of(items), Map.of(), Map.of(), false);
    }

    private static ModelFormatException refused(Path dir, String... expected) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelDirectory.read(dir));
        for (String x : expected) assertTrue(e.getMessage().contains(x), "message should say '" + x + "': " + e.getMessage());
        return e;
    }

    /** Rewrites model.json as a format-1 file (no hashes), as EIMF wrote before. */
    private static void downgrade(Path dir) throws Exception {
        ObjectNode n = (ObjectNode) Json.mapper().readTree(dir.resolve("model.json").toFile());
        n.put("formatVersion", 1);
        n.remove("files");
        Files.writeString(dir.resolve("model.json"), Json.pretty(n));
    }

    @Test
    void exportRecordsEveryFilesHashAndSizeAndLoadsBack() throws Exception {
        Path dir = export("m");
        JsonNode n = Json.mapper().readTree(dir.resolve("model.json").toFile());
        assertEquals(2, n.get("formatVersion").asInt());
        for (String f : List.of("weights.bin", "items.tsv")) {
            assertEquals(ContentHash.ofFile(dir.resolve(f)), n.path("files").path(f).path("sha256").asText(), f);
            assertEquals(Files.size(dir.resolve(f)), n.path("files").path(f).path("bytes").asLong(), f);
        }
        ModelDirectory.Loaded l = ModelDirectory.read(dir);
        IbimModel original = new IbimModel(CONFIG, DataType.FLOAT, 5);
        assertArrayEquals(original.itemEmbeddings().value().dup().data().asFloat(),
                l.model().itemEmbeddings().value().dup().data().asFloat());
    }

    @Test
    void truncatedOrTamperedFilesAreRefusedWithTheirName() throws Exception {
        Path dir = export("m");
        Path w = dir.resolve("weights.bin");
        byte[] good = Files.readAllBytes(w);
        Files.write(w, Arrays.copyOf(good, good.length - 10));
        refused(dir, w.toString(), "bytes, expected " + good.length, "truncated");
        byte[] flipped = good.clone();
        flipped[flipped.length / 2] ^= 1;
        Files.write(w, flipped);
        refused(dir, w.toString(), "SHA-256");
        Files.write(w, good);
        Files.writeString(dir.resolve("items.tsv"), "x", java.nio.file.StandardOpenOption.APPEND);
        refused(dir, dir.resolve("items.tsv").toString(), "expected");
    }

    @Test
    void aFormatOneModelLoadsWithAWarningButIsStillBoundedByItsFileSizes() throws Exception {
        Path dir = export("m");
        downgrade(dir);
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(CONFIG, ModelDirectory.read(dir).model().config());
            Path w = dir.resolve("weights.bin");
            byte[] good = Files.readAllBytes(w);
            // Truncated inside the last array: named, and no bare EOFException.
            Files.write(w, Arrays.copyOf(good, good.length - 3));
            refused(dir, w.toString(), "only", "bytes remain");
            // Truncated inside the last array's data header (its 2 floats and 12 header bytes gone).
            Files.write(w, Arrays.copyOf(good, good.length - 20));
            refused(dir, w.toString(), "truncated", "sa.w2");
            // Far too short for the config: refused before the model is even built.
            Files.write(w, Arrays.copyOf(good, 30));
            refused(dir, w.toString(), "cannot hold");
            Files.write(w, good);
        } finally {
            System.setErr(saved);
        }
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no file hashes"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void headersClaimingMoreThanTheFileHoldsAreRefusedBeforeAllocating() throws Exception {
        Path dir = export("m");
        downgrade(dir);
        Path w = dir.resolve("weights.bin");
        byte[] good = Files.readAllBytes(w);
        // weights.bin: magic, count, flag, then the item table: name, shape buffer, then the data buffer's length.
        int nameLen = "item_embeddings".length();
        int shapeBuffer = (2 + 16) + 8 + (2 + 4) + 8 * (2 * 2 + 4);
        int dataLenAt = 4 + 4 + 1 + 2 + nameLen + shapeBuffer + (2 + 16);
        ByteBuffer b = ByteBuffer.wrap(good.clone());
        assertEquals((CONFIG.numItems() + 1L) * CONFIG.dim(), b.getLong(dataLenAt), "layout as Nd4j.write writes it");
        b.putLong(dataLenAt, 1L << 40);
        Files.write(w, b.array());
        refused(dir, w.toString(), "item_embeddings", "data length " + (1L << 40));
        // A shape that differs from the config's.
        ByteBuffer s = ByteBuffer.wrap(good.clone());
        int firstDimAt = 4 + 4 + 1 + 2 + nameLen + (2 + 16) + 8 + (2 + 4) + 8;
        s.putLong(firstDimAt, 1L << 30);
        Files.write(w, s.array());
        refused(dir, w.toString(), "item_embeddings", "shape");
        // model.json asking for a table weights.bin cannot hold: refused before the model is built.
        Files.write(w, good);
        ObjectNode n = (ObjectNode) Json.mapper().readTree(dir.resolve("model.json").toFile());
        ((ObjectNode) n.get("config")).put("numItems", 2_000_000_000).put("dim", 4096);
        Files.writeString(dir.resolve("model.json"), Json.pretty(n));
        refused(dir, w.toString(), "cannot hold");
    }
}
