package io.eimf.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.json.Json;
import io.eimf.model.ibim.IbimConfig;
import io.eimf.model.ibim.IbimModel;
import io.eimf.model.nn.ModelFormatException;
import io.eimf.model.nn.Param;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** Checkpoints carry files.json (SHA-256 and size of each file); reads are bounded by the files' real sizes. */
class CheckpointFilesTest {
    @TempDir
    Path tmp;

    private static final IbimConfig CONFIG = IbimConfig.defaults("mind", 8, 2, 6, 30);

    private Path write(IbimModel model) throws Exception {
        Path dir = tmp.resolve("ck");
        List<Param> params = new ArrayList<>(model.params().all());
        Checkpoint.write(dir, new Checkpoint.State(7, 1, 7, 0.5, 5, 1, List.of(), model.params().snapshot()), params,
                model, List.of(), Map.of("seed", "1"));
        return dir;
    }

    private static State read(Path dir) throws Exception {
        IbimModel fresh = new IbimModel(CONFIG, DataType.FLOAT, 99);
        return new State(Checkpoint.read(dir, new ArrayList<>(fresh.params().all()), fresh, List.of()), fresh);
    }

    private record State(Checkpoint.State state, IbimModel model) {}

    private static void refused(Path dir, String... expected) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> read(dir));
        for (String x : expected) assertTrue(e.getMessage().contains(x), "message should say '" + x + "': " + e.getMessage());
    }

    @Test
    void roundTripsAndListsEveryFile() throws Exception {
        IbimModel model = new IbimModel(CONFIG, DataType.FLOAT, 3);
        Path dir = write(model);
        Map<?, ?> files = (Map<?, ?>) Json.mapper().readValue(dir.resolve(Checkpoint.FILES).toFile(), Map.class).get("files");
        assertEquals(List.of("best.bin", "params.bin", "run.json", "state.json"), new ArrayList<>(new java.util.TreeSet<>(
                files.keySet().stream().map(String::valueOf).toList())));
        State s = read(dir);
        assertEquals(7, s.state().step());
        assertArrayEquals(model.itemEmbeddings().value().dup().data().asFloat(),
                s.model().itemEmbeddings().value().dup().data().asFloat());
    }

    @Test
    void truncatedOrTamperedFilesAreRefusedWithTheirName() throws Exception {
        Path dir = write(new IbimModel(CONFIG, DataType.FLOAT, 3));
        for (String f : List.of("params.bin", "best.bin", "state.json")) {
            Path p = dir.resolve(f);
            byte[] good = Files.readAllBytes(p);
            Files.write(p, Arrays.copyOf(good, good.length - 5));
            refused(dir, p.toString(), "truncated");
            byte[] flipped = good.clone();
            flipped[good.length - 2] ^= 1;
            Files.write(p, flipped);
            refused(dir, p.toString(), "SHA-256");
            Files.write(p, good);
        }
        read(dir);
    }

    @Test
    void anOlderCheckpointWithoutHashesIsStillBoundedByItsSizes() throws Exception {
        Path dir = write(new IbimModel(CONFIG, DataType.FLOAT, 3));
        Files.delete(dir.resolve(Checkpoint.FILES));
        read(dir);
        Path p = dir.resolve("params.bin");
        byte[] good = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(good, good.length - 5));
        refused(dir, p.toString(), "bytes remain");
        Files.write(p, Arrays.copyOf(good, 11));
        refused(dir, p.toString(), "truncated");
        Path b = dir.resolve("best.bin");
        Files.write(p, good);
        Files.write(b, Arrays.copyOf(Files.readAllBytes(b), 40));
        refused(dir, b.toString());
    }
}
