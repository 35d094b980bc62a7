package io.eimf.core.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreparedDatasetTest {
    @TempDir Path tmp;

    static DatasetManifest manifest() {
        return new DatasetManifest(1,
                new DatasetManifest.Source("seq-txt", List.of(), Map.of()),
                new DatasetManifest.Feedback(null),
                new DatasetManifest.Filter("comirec", 5, 5, 1),
                new DatasetManifest.Split("comirec", 1, 0.8, 0.1, 0.8),
                new DatasetManifest.Counts(3, 3, 10, 1, 1, 1, 10, 0), null, null, null);
    }

    static List<Item> items() {
        return List.of(new Item(1, "a", "Tab\there \"quoted\"", List.of("X", "Y"), null),
                new Item(2, "b", "B", List.of(), "text b"),
                new Item(3, "c", "C\nnewline", List.of("Z"), "c"));
    }

    static List<UserSequence> seqs() {
        return List.of(
                new UserSequence(0, "u\t0", SplitRole.TRAIN, 4, new int[] {1, 2, 3, 1}, new long[] {1, 2, 3, 4}),
                new UserSequence(1, "u1", SplitRole.VALID, 2, new int[] {2, 3, 1}, new long[] {5, 6, 7}),
                new UserSequence(2, "u2", SplitRole.TEST, 2, new int[] {3, 1, 2}, new long[] {8, 9, 9}));
    }

    @Test
    void roundTripsAndHashesContent() throws IOException {
        PreparedDataset d = PreparedDataset.write(tmp.resolve("ds"), manifest(), items(), seqs(), false);
        PreparedDataset r = PreparedDataset.read(tmp.resolve("ds"));
        assertEquals(items(), r.items());
        assertEquals(seqs(), r.sequences());
        assertEquals(64, r.manifest().contentHash().length());
        assertEquals(d.manifest().contentHash(), r.manifest().contentHash());
        assertTrue(r.manifest().toolVersion().startsWith("eimf "));
        // No temp folders left behind.
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(tmp.resolve("ds")), s.toList());
        }
    }

    @Test
    void contentHashChangesWithContent() throws IOException {
        String h1 = PreparedDataset.write(tmp.resolve("a"), manifest(), items(), seqs(), false).manifest().contentHash();
        List<UserSequence> other = List.of(seqs().get(0), seqs().get(1),
                new UserSequence(2, "u2", SplitRole.TEST, 2, new int[] {3, 1, 3}, new long[] {8, 9, 9}));
        String h2 = PreparedDataset.write(tmp.resolve("b"), manifest(), items(), other, false).manifest().contentHash();
        assertFalse(h1.equals(h2));
    }

    @Test
    void evaluationCasesFollowTheSplit() throws IOException {
        PreparedDataset d = PreparedDataset.write(tmp.resolve("ds"), manifest(), items(), seqs(), false);
        assertEquals(1, d.trainingSequences().size());
        EvaluationCase v = d.evaluationCases(SplitRole.VALID).get(0);
        assertArrayEquals(new int[] {2, 3}, v.history());
        assertArrayEquals(new int[] {1}, v.targets());
        assertEquals(2, d.evaluationCases(SplitRole.TEST).get(0).user());
    }

    @Test
    void leaveOneOutRoles() {
        UserSequence s = new UserSequence(0, "u", SplitRole.ALL, 3, new int[] {1, 2, 3, 4, 5}, new long[5]);
        assertArrayEquals(new int[] {1, 2, 3}, s.trainingItems());
        assertArrayEquals(new int[] {4}, s.evaluationCase(SplitRole.VALID).targets());
        assertArrayEquals(new int[] {1, 2, 3, 4}, s.evaluationCase(SplitRole.TEST).history());
        assertArrayEquals(new int[] {5}, s.evaluationCase(SplitRole.TEST).targets());
        UserSequence train = new UserSequence(1, "t", SplitRole.TRAIN, 2, new int[] {1, 2}, new long[2]);
        assertNull(train.evaluationCase(SplitRole.TEST));
        assertEquals(0, new UserSequence(2, "v", SplitRole.VALID, 1, new int[] {1, 2}, new long[2]).trainingItems().length);
    }

    @Test
    void badFilesNameFileAndLine() throws IOException {
        PreparedDataset.write(tmp.resolve("ds"), manifest(), items(), seqs(), false);
        Path seq = tmp.resolve("ds").resolve(PreparedDataset.SEQUENCES);
        List<String> lines = Files.readAllLines(seq);
        lines.set(2, lines.get(2).replace("2 3 1", "2 x 1"));
        Files.write(seq, lines);
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> PreparedDataset.read(tmp.resolve("ds")));
        assertTrue(e.getMessage().contains(seq + ":3:"), e.getMessage());
        assertTrue(e.getMessage().contains("items[1]"), e.getMessage());
    }

    @Test
    void itemIdsOutOfRangeAreRejected() throws IOException {
        PreparedDataset.write(tmp.resolve("ds"), manifest(), items(), seqs(), false);
        Path seq = tmp.resolve("ds").resolve(PreparedDataset.SEQUENCES);
        Files.writeString(seq, Files.readString(seq).replace("3 1 2\t", "3 1 9\t"));
        assertThrows(DatasetFormatException.class, () -> PreparedDataset.read(tmp.resolve("ds")));
    }

    @Test
    void refusesExistingOutputUnlessOverwrite() throws IOException {
        PreparedDataset.write(tmp.resolve("ds"), manifest(), items(), seqs(), false);
        assertThrows(java.nio.file.FileAlreadyExistsException.class,
                () -> PreparedDataset.write(tmp.resolve("ds"), manifest(), items(), seqs(), false));
        PreparedDataset.write(tmp.resolve("ds"), manifest(), items(), seqs(), true);
    }

    @Test
    void aFileCutAtALineBoundaryIsRefusedByTheCountsAndAChangedOneByTheHash() throws IOException {
        PreparedDataset.write(tmp.resolve("ds"), manifest(), items(), seqs(), false);
        Path seqFile = tmp.resolve("ds").resolve(PreparedDataset.SEQUENCES);
        String whole = Files.readString(seqFile);
        Files.writeString(seqFile, whole.substring(0, whole.lastIndexOf('\n', whole.length() - 2) + 1));
        DatasetFormatException cut = assertThrows(DatasetFormatException.class,
                () -> PreparedDataset.read(tmp.resolve("ds")));
        assertTrue(cut.getMessage().contains("users 3 but sequences.tsv has 2")
                && cut.getMessage().contains("interactions 10 but sequences.tsv has 7"), cut.getMessage());

        // same counts, other content: only the hash can tell
        Files.writeString(seqFile, whole.replace("\t1 2 3 1\t", "\t1 2 3 2\t"));
        PreparedDataset.read(tmp.resolve("ds"));
        DatasetFormatException changed = assertThrows(DatasetFormatException.class,
                () -> PreparedDataset.read(tmp.resolve("ds"), true));
        assertTrue(changed.getMessage().contains("contentHash"), changed.getMessage());
        Files.writeString(seqFile, whole);
        PreparedDataset.read(tmp.resolve("ds"), true);

        // killed between the renames of a `prepare --overwrite`: the reader puts the previous dataset back
        Process gone = new ProcessBuilder("true").start();
        try {
            gone.waitFor();
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        Files.move(tmp.resolve("ds"), tmp.resolve(".ds.old-" + gone.pid() + "-" + java.util.UUID.randomUUID()));
        assertEquals(3, PreparedDataset.read(tmp.resolve("ds"), true).sequences().size());
    }
}
