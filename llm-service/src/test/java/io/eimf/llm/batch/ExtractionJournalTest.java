package io.eimf.llm.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.cli.EimfException;
import io.eimf.core.semantic.SemanticInterest;
import io.eimf.core.semantic.UserInterests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExtractionJournalTest {
    @TempDir Path tmp;

    static ExtractionJournal.Header header(String clusters) {
        return new ExtractionJournal.Header(1, clusters, "d", Map.of("maxPromptItems", 50));
    }

    static ExtractionJournal.Entry done(int user, int run) {
        UserInterests ui = new UserInterests(user, "u" + user, 0, 3, List.of(new SemanticInterest("A", "a",
                new int[] {1}, new float[] {1f})), "p", "m", null, false);
        return new ExtractionJournal.Entry(ExtractionJournal.Entry.DONE, user, run, 1.0, 1, 0, 0, 0, ui, null);
    }

    @Test
    void resumesFromWholeLinesAndDropsATornTail() throws Exception {
        Path f = tmp.resolve("j.jsonl");
        try (ExtractionJournal j = ExtractionJournal.open(f, header("c"))) {
            assertEquals(1, j.run());
            j.append(done(1, 1));
            j.append(new ExtractionJournal.Entry(ExtractionJournal.Entry.FAILED, 2, 1, 2.0, 3, 0, 0, 0, null, "x"));
        }
        Files.writeString(f, Files.readString(f) + "{\"type\":\"done\",\"user\":3,\"ru"); // killed mid-write
        try (ExtractionJournal j = ExtractionJournal.open(f, header("c"))) {
            assertEquals(2, j.run());
            assertEquals(2, j.previous().size());
            assertEquals(List.of(1), List.copyOf(j.previouslyDone().keySet()));
            assertEquals("A", j.previouslyDone().get(1).record().interests().get(0).name());
            j.append(done(2, 2));
        }
        List<String> lines = Files.readAllLines(f);
        assertEquals(4, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(3).contains("\"user\":2"));
        try (ExtractionJournal j = ExtractionJournal.open(f, header("c"))) {
            assertEquals(3, j.run());
            assertEquals(2, j.previouslyDone().size());
        }
    }

    @Test
    void refusesAJournalOfOtherInputs() throws Exception {
        Path f = tmp.resolve("j.jsonl");
        ExtractionJournal.open(f, header("c")).close();
        EimfException e = assertThrows(EimfException.class, () -> ExtractionJournal.open(f, header("other")));
        assertTrue(e.getMessage().contains("different extraction"), e.getMessage());
    }

    @Test
    void aTailTornMidCharacterIsDroppedAndCutInPlace() throws Exception {
        Path f = tmp.resolve("j.jsonl");
        try (ExtractionJournal j = ExtractionJournal.open(f, header("c"))) {
            j.append(done(1, 1));
        }
        long whole = Files.size(f);
        byte[] euro = "{\"type\":\"done\",\"user\":3,\"reason\":\"\u20ac".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] cut = java.util.Arrays.copyOf(euro, euro.length - 1); // killed inside the 3-byte character
        Files.write(f, cut, java.nio.file.StandardOpenOption.APPEND);
        try (ExtractionJournal j = ExtractionJournal.open(f, header("c"))) {
            assertEquals(List.of(1), List.copyOf(j.previouslyDone().keySet()));
            assertEquals(whole, Files.size(f), "the torn bytes were truncated away, the whole lines kept");
        }
        // a complete entry without its newline is a torn write too: its sample is asked again
        String entry = io.eimf.core.json.Json.write(done(2, 2));
        Files.writeString(f, entry, java.nio.file.StandardOpenOption.APPEND);
        try (ExtractionJournal j = ExtractionJournal.open(f, header("c"))) {
            assertEquals(List.of(1), List.copyOf(j.previouslyDone().keySet()));
        }
        // damage inside the whole lines is an error naming the line, never a silent skip
        byte[] bytes = Files.readAllBytes(f);
        bytes[bytes.length - 5] = (byte) 0xC3;
        Files.write(f, bytes);
        EimfException e = assertThrows(EimfException.class, () -> ExtractionJournal.open(f, header("c")));
        assertTrue(e.getMessage().contains(":2:"), e.getMessage());
    }
}
