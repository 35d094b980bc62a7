package io.eimf.pipeline.run;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A task's log file that also remembers its last lines, so live progress can show what each running task is doing
 * and a failure can quote the end of its log. Thread-safe.
 */
public final class TaskLog extends OutputStream {
    private static final int TAIL = 20;
    private final Path file;
    private final OutputStream out;
    private final StringBuilder line = new StringBuilder();
    private final Deque<String> tail = new ArrayDeque<>();

    public TaskLog(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.getParent());
        this.out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        out.write(b);
        track((byte) b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        for (int i = off; i < off + len; i++) track(b[i]);
    }

    private void track(byte b) {
        if (b == '\n' || b == '\r') {
            if (line.length() > 0) {
                tail.addLast(new String(line.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
                if (tail.size() > TAIL) tail.removeFirst();
                line.setLength(0);
            }
        } else if (line.length() < 400) {
            line.append((char) (b & 0xff));
        }
    }

    /** Appends a line written by the runner itself. */
    public synchronized void note(String text) {
        try {
            write(("[runner] " + text + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // the log is best effort; the task's own failure is reported elsewhere
        }
    }

    /** The last non-empty line, or "". */
    public synchronized String lastLine() {
        return tail.isEmpty() ? "" : tail.peekLast();
    }

    /** Up to the last 20 lines. */
    public synchronized List<String> tail() {
        return new ArrayList<>(tail);
    }

    @Override
    public synchronized void flush() throws IOException {
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
