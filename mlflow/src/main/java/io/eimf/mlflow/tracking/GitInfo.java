package io.eimf.mlflow.tracking;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The commit a working tree is at, for the {@code mlflow.source.git.commit} tag, read from {@code .git} directly
 * (HEAD, loose refs, packed-refs) so no git binary is needed. Worktrees and submodules ({@code .git} files) are
 * followed one level.
 */
public final class GitInfo {
    private GitInfo() {}

    /** The 40-hex commit of HEAD for the repository containing {@code dir}, if there is one. */
    public static Optional<String> headCommit(Path dir) {
        try {
            for (Path d = dir.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
                Path git = d.resolve(".git");
                if (Files.isRegularFile(git)) {
                    String line = Files.readString(git, StandardCharsets.UTF_8).trim();
                    if (!line.startsWith("gitdir:")) return Optional.empty();
                    git = d.resolve(line.substring("gitdir:".length()).trim()).normalize();
                }
                if (Files.isDirectory(git)) return commitIn(git);
            }
        } catch (IOException e) {
            return Optional.empty(); // provenance is best effort: an unreadable .git must not stop a run
        }
        return Optional.empty();
    }

    private static Optional<String> commitIn(Path git) throws IOException {
        Path headFile = git.resolve("HEAD");
        if (!Files.isRegularFile(headFile)) return Optional.empty();
        String head = Files.readString(headFile, StandardCharsets.UTF_8).trim();
        if (!head.startsWith("ref:")) return hex(head);
        String ref = head.substring("ref:".length()).trim();
        Path common = Files.isRegularFile(git.resolve("commondir"))
                ? git.resolve(Files.readString(git.resolve("commondir"), StandardCharsets.UTF_8).trim()).normalize() : git;
        for (Path base : new Path[] {git, common}) {
            Path loose = base.resolve(ref);
            if (Files.isRegularFile(loose)) return hex(Files.readString(loose, StandardCharsets.UTF_8).trim());
            Path packed = base.resolve("packed-refs");
            if (Files.isRegularFile(packed)) {
                for (String line : Files.readAllLines(packed, StandardCharsets.UTF_8)) {
                    if (line.endsWith(" " + ref)) return hex(line.substring(0, line.indexOf(' ')));
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> hex(String s) {
        return s.matches("[0-9a-f]{40}") ? Optional.of(s) : Optional.empty();
    }
}
