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
}
