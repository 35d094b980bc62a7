package io.eimf.mlflow.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitInfoTest {
    @TempDir
    Path dir;

    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    @Test
    void looseRefFromASubfolder() throws Exception {
        Files.createDirectories(dir.resolve(".git/refs/heads"));
        Files.writeString(dir.resolve(".git/HEAD"), "ref: refs/heads/main\n");
        Files.writeString(dir.resolve(".git/refs/heads/main"), SHA + "\n");
        Files.createDirectories(dir.resolve("a/b"));
        assertEquals(Optional.of(SHA), GitInfo.headCommit(dir.resolve("a/b")));
    }

    @Test
    void packedRefAndDetachedHead() throws Exception {
        Files.createDirectories(dir.resolve(".git"));
        Files.writeString(dir.resolve(".git/HEAD"), "ref: refs/heads/main\n");
        Files.writeString(dir.resolve(".git/packed-refs"), "# pack-refs with: peeled\n" + SHA + " refs/heads/main\n");
        assertEquals(Optional.of(SHA), GitInfo.headCommit(dir));
        Files.writeString(dir.resolve(".git/HEAD"), SHA.replace('0', 'f') + "\n");
        assertEquals(Optional.of(SHA.replace('0', 'f')), GitInfo.headCommit(dir));
    }

    @Test
    void noRepository() throws Exception {
        // @TempDir lives outside any repository; a HEAD that is not a commit is ignored too.
        assertEquals(Optional.empty(), GitInfo.headCommit(dir));
        Path wt = dir.resolve("wt");
        Files.createDirectories(wt);
        Files.writeString(wt.resolve(".git"), "gitdir: ../real\n");
        Files.createDirectories(dir.resolve("real"));
        Files.writeString(dir.resolve("real/HEAD"), "garbage\n");
        assertEquals(Optional.empty(), GitInfo.headCommit(wt));
        Files.writeString(dir.resolve("real/HEAD"), SHA + "\n");
        assertEquals(Optional.of(SHA), GitInfo.headCommit(wt), "a .git file (worktree) is followed");
    }
}
