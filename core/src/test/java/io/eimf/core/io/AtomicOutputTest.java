package io.eimf.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicOutputTest {
    @TempDir Path tmp;

    @Test
    void failedWriteLeavesNothingAndKeepsOldContent() throws IOException {
        Path target = tmp.resolve("out");
        AtomicOutput.directory(target, false, d -> Files.writeString(d.resolve("a"), "old"));
        assertThrows(IllegalStateException.class, () -> AtomicOutput.directory(target, true, d -> {
            Files.writeString(d.resolve("a"), "half");
            throw new IllegalStateException("boom");
        }));
        assertEquals("old", Files.readString(target.resolve("a")));
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(target), s.toList());
        }
    }

    @Test
    void overwriteReplacesWholeDirectory() throws IOException {
        Path target = tmp.resolve("out");
        AtomicOutput.directory(target, false, d -> Files.writeString(d.resolve("a"), "1"));
        AtomicOutput.directory(target, true, d -> Files.writeString(d.resolve("b"), "2"));
        assertEquals(List.of(target.resolve("b")), Files.list(target).toList());
    }

    /** The pid of a process that has exited: the owner of leftovers from a killed writer. */
    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long pid = p.pid();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        return pid;
    }

    @Test
    void killBetweenTheRenamesOfAReplaceIsRecoveredOnTheNextWriteOrRead() throws Exception {
        Path target = tmp.resolve("ckpt");
        // what a writer killed between "old out of the way" and "new in" leaves: no target, the old copy, the new tmp
        long dead = deadPid();
        Path old = tmp.resolve(".ckpt.old-" + dead + "-" + UUID.randomUUID());
        Files.createDirectory(old);
        Files.writeString(old.resolve("state"), "step 10");
        Path half = tmp.resolve(".ckpt.tmp-" + dead + "-" + UUID.randomUUID());
        Files.createDirectory(half);
        Files.writeString(half.resolve("state"), "step 1");
        Path unrelated = tmp.resolve(".other.tmp-" + dead + "-" + UUID.randomUUID());
        Files.createDirectory(unrelated);

        List<Path> touched = AtomicOutput.recover(target);
        assertEquals(2, touched.size());
        assertEquals("step 10", Files.readString(target.resolve("state")));
        assertFalse(Files.exists(old));
        assertFalse(Files.exists(half));
        assertTrue(Files.exists(unrelated), "leftovers of other targets are theirs to recover");
        assertEquals(List.of(), AtomicOutput.recover(target), "recovery is idempotent");
    }

    @Test
    void leftoversOfLiveWritersAndCompleteTargetsAreHandledOnWrite() throws Exception {
        Path target = tmp.resolve("out");
        AtomicOutput.directory(target, false, d -> Files.writeString(d.resolve("a"), "new"));
        long dead = deadPid();
        Path staleOld = tmp.resolve(".out.old-" + dead + "-" + UUID.randomUUID()); // killed after the second rename
        Files.createDirectory(staleOld);
        Path staleTmp = tmp.resolve(".out.tmp-" + dead + "-" + UUID.randomUUID());
        Files.writeString(staleTmp, "x");
        Path legacyTmp = tmp.resolve(".out.tmp-" + UUID.randomUUID()); // name from before pids were recorded
        Files.writeString(legacyTmp, "x");
        Path liveTmp = tmp.resolve(".out.tmp-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID());
        Files.writeString(liveTmp, "being written by another thread");

        AtomicOutput.directory(target, true, d -> Files.writeString(d.resolve("a"), "newer"));
        assertEquals("newer", Files.readString(target.resolve("a")));
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(liveTmp, target).stream().sorted().toList(), s.sorted().toList());
        }
        assertEquals(List.of(liveTmp), AtomicOutput.recover(target, true),
                "a caller holding the folder's lock treats its own process's leftovers as stale too");
        AtomicOutput.text(tmp.resolve("f"), "1");
        AtomicOutput.text(tmp.resolve("f"), "2");
        assertEquals("2", Files.readString(tmp.resolve("f")));
    }

    @Test
    void tsvEscapingRoundTrips() {
        String s = "a\tb\\c\nd\re";
        assertEquals(s, Tsv.unescape(Tsv.escape(s)));
        assertEquals(-1, Tsv.escape(s).indexOf('\t'));
    }
}
