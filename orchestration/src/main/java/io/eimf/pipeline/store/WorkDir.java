package io.eimf.pipeline.store;

import io.eimf.core.cli.EimfException;
import io.eimf.core.io.AtomicOutput;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The work folder of the pipeline runner. Layout:
 * <pre>
 *   objects/KEY/          one finished task's immutable output: task.json, stdout.txt, out/ (the --out folder)
 *   objects/.KEY.tmp-*    a task being written (renamed to objects/KEY on success, deleted on failure)
 *   logs/TASK-KEY.log     the last attempt's stdout and stderr (kept for failed tasks)
 *   runs/PIPELINE.json    the latest run's per-task state, for `eimf pipeline status`
 *   .lock                 held by the one runner using this folder
 * </pre>
 * A folder under objects/ exists only once complete, so after a crash or kill -9 the next run reuses exactly the
 * finished tasks and redoes the rest.
 */
public final class WorkDir implements AutoCloseable {
    /** Length of the key prefix used in folder names: 20 hex digits = 80 bits. */
    public static final int KEY_CHARS = 20;

    private final Path root;
    private FileChannel lockChannel;
    private FileLock lock;

    public WorkDir(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    public Path objects() {
        return root.resolve("objects");
    }

    public Path logs() {
        return root.resolve("logs");
    }

    public Path runs() {
        return root.resolve("runs");
    }

    /** The folder of a finished task with this key. */
    public Path object(String key) {
        return objects().resolve(key.substring(0, KEY_CHARS));
    }

    /** Whether a task with this key finished before. */
    public boolean isComplete(String key) {
        return Files.isRegularFile(object(key).resolve("task.json"));
    }

    /** The log file of a task. */
    public Path log(String taskId, String key) {
        return logs().resolve(taskId + "-" + key.substring(0, 12) + ".log");
    }

    /** The run record of a pipeline. */
    public Path runRecord(String pipeline) {
        return runs().resolve(pipeline + ".json");
    }

    /**
     * Creates the layout, takes the folder's lock (one runner at a time) and removes what a killed run left half
     * written. Fails with a clear message when another runner holds the lock.
     */
    public WorkDir open() throws IOException {
        Files.createDirectories(objects());
        Files.createDirectories(logs());
        Files.createDirectories(runs());
        lockChannel = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        lock = lockChannel.tryLock();
        if (lock == null) {
            lockChannel.close();
            throw new EimfException(root + " is in use by another 'eimf pipeline run' (it holds " + root.resolve(".lock")
                    + "); wait for it or use another --work folder");
        }
        // A task folder replace cut between its two renames leaves only .KEY.old-*: recover() moves it back
        // instead of deleting the last complete copy, and removes the rest.
        java.util.Set<Path> targets = new java.util.TreeSet<>();
        for (Path stale : staleTemporaries()) {
            String n = stale.getFileName().toString();
            int cut = Math.max(n.lastIndexOf(".tmp-"), n.lastIndexOf(".old-"));
            targets.add(stale.resolveSibling(n.substring(1, cut)));
        }
        for (Path t : targets) AtomicOutput.recover(t, true); // we hold .lock: no other writer is in objects/
        return this;
    }

    /** Half-written task folders left by a killed run. */
    public List<Path> staleTemporaries() throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(objects())) return out;
        try (Stream<Path> s = Files.list(objects())) {
            s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(".") && (n.contains(".tmp-") || n.contains(".old-"));
            }).forEach(out::add);
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        if (lock != null) lock.release();
        if (lockChannel != null) lockChannel.close();
    }
}
