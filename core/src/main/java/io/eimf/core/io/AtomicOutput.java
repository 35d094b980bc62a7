package io.eimf.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes a file or directory under a temporary sibling name and renames it into place on success, so a failed or
 * killed run never leaves anything that looks complete.
 *
 * <p>Guarantees (POSIX file systems): the content is fsynced before the rename and the parent directory after it,
 * so a power loss leaves either the old or the new version, never an empty or partial file. Replacing a directory
 * takes two renames (old out of the way as {@code .NAME.old-PID-UUID}, new in); a kill between them leaves only the
 * old copy, which {@link #recover(Path)} (run by every write of that target, and by readers such as
 * {@code train --resume}) moves back. Temporaries are named {@code .NAME.tmp-PID-UUID}; those of a process that is
 * no longer alive are deleted by the same recovery.
 */
public final class AtomicOutput {
    private static final String TMP = ".tmp-";
    private static final String OLD = ".old-";
    private static final String JOB_TMP = ".job-tmp-";
    private static final long PID = ProcessHandle.current().pid();

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
        Path parent = abs.getParent();
        Files.createDirectories(parent);
        recover(abs);
        if (Files.exists(abs) && !overwrite) {
            throw new FileAlreadyExistsException(abs + " already exists (pass --overwrite to replace it)");
        }
        Path tmp = sibling(abs, TMP);
        Files.createDirectory(tmp);
        try {
            writer.write(tmp);
            syncTree(tmp);
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
     * A fresh temporary sibling of {@code target} for a writer in another process, possibly on another host (a
     * Flink job's tasks on TaskManagers), to be moved into place with {@link #install}. Its name carries no pid, and
     * {@link #recover} never removes it: a pid is meaningless across hosts, and the job may still be running.
     */
    public static Path jobTemporary(Path target) {
        Path abs = target.toAbsolutePath().normalize();
        return abs.resolveSibling("." + abs.getFileName() + JOB_TMP + UUID.randomUUID());
    }

    /**
     * Moves a finished temporary directory {@code tmp} (from {@link #jobTemporary}) into place, as
     * {@link #directory} does after its writer: fsync, then an atomic replace. An existing target is replaced only
     * when {@code overwrite} is true.
     */
    public static Path install(Path tmp, Path target, boolean overwrite) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        recover(abs);
        if (Files.exists(abs) && !overwrite) {
            throw new FileAlreadyExistsException(abs + " already exists (pass --overwrite to replace it)");
        }
        syncTree(tmp);
        replace(tmp, abs);
        return abs;
    }

    /** Writes one file through a temporary sibling, fsync and an atomic rename (which replaces in one step). */
    public static Path file(Path target, Writer writer) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Files.createDirectories(abs.getParent());
        recover(abs);
        Path tmp = sibling(abs, TMP);
        try {
            writer.write(tmp);
            fsync(tmp);
            move(tmp, abs);
            fsync(abs.getParent());
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

    /**
     * Repairs what a killed writer of {@code target} left: when the target is missing but a previous version sits
     * in {@code .NAME.old-*} (killed between the two renames of a replace), that version is moved back; then the
     * {@code .old-*} and {@code .tmp-*} siblings of processes that are no longer alive are deleted. Returns the
     * leftovers it restored or removed.
     */
    public static List<Path> recover(Path target) throws IOException {
        return recover(target, false);
    }

    /**
     * {@link #recover(Path)}; with {@code exclusive} (the caller holds a lock that keeps every other writer of the
     * folder out) every leftover counts as stale, this process's included.
     */
    public static List<Path> recover(Path target, boolean exclusive) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        List<Path> touched = new ArrayList<>();
        if (parent == null || !Files.isDirectory(parent)) return touched;
        String name = abs.getFileName().toString();
        List<Path> olds = new ArrayList<>();
        List<Path> tmps = new ArrayList<>();
        try (Stream<Path> s = Files.list(parent)) {
            s.forEach(p -> {
                String n = p.getFileName().toString();
                if (n.startsWith("." + name + OLD)
                        && (exclusive || ownerGone(n.substring(name.length() + 1 + OLD.length())))) {
                    olds.add(p);
                } else if (n.startsWith("." + name + TMP)
                        && (exclusive || ownerGone(n.substring(name.length() + 1 + TMP.length())))) {
                    tmps.add(p);
                }
            });
        }
        if (!olds.isEmpty() && !Files.exists(abs)) {
            // at most one replace can be cut between its renames at a time; the newest is the last complete version
            Path newest = olds.stream().max(Comparator.comparing(AtomicOutput::mtime)).orElseThrow();
            move(newest, abs);
            fsync(parent);
            olds.remove(newest);
            touched.add(newest);
        }
        for (Path p : olds) {
            deleteRecursively(p);
            touched.add(p);
        }
        for (Path p : tmps) {
            deleteRecursively(p);
            touched.add(p);
        }
        return touched;
    }

    private static long mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0L;
        }
    }

    /** Whether the writer named in a "PID-UUID" suffix is gone (suffixes without a pid, from older versions, are). */
    private static boolean ownerGone(String suffix) {
        OptionalLong pid = pidOf(suffix);
        if (pid.isEmpty()) return true;
        if (pid.getAsLong() == PID) return false; // ours: another thread may be writing it right now
        return ProcessHandle.of(pid.getAsLong()).map(h -> !h.isAlive()).orElse(true);
    }

    private static OptionalLong pidOf(String suffix) {
        int dash = suffix.indexOf('-');
        if (dash <= 0) return OptionalLong.empty();
        try {
            String head = suffix.substring(0, dash);
            // a bare UUID also starts with 8 hex digits and a dash: a pid is decimal and the rest is a full UUID
            if (!head.chars().allMatch(Character::isDigit)) return OptionalLong.empty();
            UUID.fromString(suffix.substring(dash + 1));
            return OptionalLong.of(Long.parseLong(head));
        } catch (IllegalArgumentException e) {
            return OptionalLong.empty();
        }
    }

    private static Path sibling(Path abs, String kind) {
        return abs.resolveSibling("." + abs.getFileName() + kind + PID + "-" + UUID.randomUUID());
    }

    private static void replace(Path tmp, Path target) throws IOException {
        if (!Files.exists(target)) {
            move(tmp, target);
            fsync(target.getParent());
            return;
        }
        // Two renames: old out of the way, new in; the old copy is deleted only once the new one is durable. A kill
        // between the renames leaves the old copy for recover() to move back.
        Path old = sibling(target, OLD);
        move(target, old);
        try {
            move(tmp, target);
        } catch (IOException e) {
            move(old, target);
            throw e;
        }
        fsync(target.getParent());
        deleteRecursively(old);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Flushes every file and directory under {@code root} (and root itself) to the device. */
    private static void syncTree(Path root) throws IOException {
        List<Path> all;
        try (Stream<Path> walk = Files.walk(root)) {
            all = walk.sorted(Comparator.reverseOrder()).toList(); // children before their directory
        }
        for (Path p : all) fsync(p);
    }

    /**
     * fsync of a file or directory. Directories cannot be opened on some platforms (Windows): there the rename is
     * as durable as the platform makes it.
     */
    public static void fsync(Path p) throws IOException {
        boolean dir = Files.isDirectory(p);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            if (!dir) throw e;
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
