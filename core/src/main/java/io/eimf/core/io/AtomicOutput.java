package io.eimf.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes a file or directory under a temporary sibling name and renames it into place on success, so a failed or
 * killed run never leaves anything that looks complete.
 */
public final class AtomicOutput {
    private AtomicOutput() {}

    /** Work that fills a temporary path. */
    @FunctionalInterface
    public interface Writer {
        void write(Path tmp) throws Exception;
    }

    /**
     * Runs {@code writer} on a fresh temporary directory next to {@code target}, then moves it to {@code target}.
     * An existing target is replaced only when {@code overwrite} is true; on failure the temporary directory is
     * deleted and the target is left as it was.
     */
    public static Path directory(Path target, boolean overwrite, Writer writer) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        if (Files.exists(abs) && !overwrite) {
            throw new FileAlreadyExistsException(abs + " already exists (pass --overwrite to replace it)");
        }
        Path parent = abs.getParent();
        Files.createDirectories(parent);
        Path tmp = parent.resolve("." + abs.getFileName() + ".tmp-" + UUID.randomUUID());
        Files.createDirectory(tmp);
        try {
            writer.write(tmp);
            replace(tmp, abs);
            return abs;
        } catch (Exception e) {
            deleteRecursively(tmp);
            if (e instanceof IOException io) throw io;
            if (e instanceof RuntimeException re) throw re;
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * Moves a finished temporary directory {@code tmp} (a sibling of {@code target}) into place, as
     * {@link #directory} does after its writer; for writers that fill the folder elsewhere (a Flink job's final
     * commit step on a TaskManager). An existing target is replaced only when {@code overwrite} is true.
     */
    public static Path install(Path tmp, Path target, boolean overwrite) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        if (Files.exists(abs) && !overwrite) {
            throw new FileAlreadyExistsException(abs + " already exists (pass --overwrite to replace it)");
        }
        replace(tmp, abs);
        return abs;
    }

    /** Writes one file through a temporary sibling and an atomic rename. */
    public static Path file(Path target, Writer writer) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Files.createDirectories(abs.getParent());
        Path tmp = abs.resolveSibling("." + abs.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            writer.write(tmp);
            move(tmp, abs);
            return abs;
        } catch (Exception e) {
            Files.deleteIfExists(tmp);
            if (e instanceof IOException io) throw io;
            if (e instanceof RuntimeException re) throw re;
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Writes a small text file atomically. */
    public static Path text(Path target, String content) throws IOException {
        return file(target, tmp -> Files.writeString(tmp, content));
    }

    private static void replace(Path tmp, Path target) throws IOException {
        if (!Files.exists(target)) {
            move(tmp, target);
            return;
        }
        // Two renames: old out of the way, new in; the old copy is deleted only once the new one is in place.
        Path old = target.resolveSibling("." + target.getFileName() + ".old-" + UUID.randomUUID());
        move(target, old);
        try {
            move(tmp, target);
        } catch (IOException e) {
            move(old, target);
            throw e;
        }
        deleteRecursively(old);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes a file or a directory tree; missing paths are ignored. */
    public static void deleteRecursively(Path path) {
        if (!Files.exists(path)) return;
        try (Stream<Path> walk = Files.walk(path)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
