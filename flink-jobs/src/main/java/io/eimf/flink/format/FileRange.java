package io.eimf.flink.format;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A byte range of one input file: the unit of parallel reading. A line belongs to the range its first byte falls in,
 * so ranges can be cut anywhere. Gzip files are one range each (they cannot be entered in the middle). A Flink POJO.
 */
public class FileRange {
    /** Position of the file in the format's file list (the high bits of {@link InteractionRecord#order}). */
    public int fileIndex;
    /** Absolute path; on a cluster it must be visible at the same path on every TaskManager. */
    public String path;
    /** The name used in error messages ({@code u.data:17: ...}). */
    public String displayName;
    public long start;
    public long end;

    public FileRange() {}

    public FileRange(int fileIndex, String path, String displayName, long start, long end) {
        this.fileIndex = fileIndex;
        this.path = path;
        this.displayName = displayName;
        this.start = start;
        this.end = end;
    }

    public boolean gzip() {
        return path.endsWith(".gz");
    }

    /**
     * Cuts files into ranges of at most {@code chunkBytes}. The cut points never change the result: every record is
     * ordered by its absolute byte offset, not by the range it was read in.
     */
    public static List<FileRange> split(List<Path> files, Path base, long chunkBytes) {
        List<FileRange> out = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i).toAbsolutePath().normalize();
            String display = displayName(f, base);
            long size;
            try {
                size = Files.size(f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (f.toString().endsWith(".gz") || size <= chunkBytes) {
                out.add(new FileRange(i, f.toString(), display, 0, Long.MAX_VALUE));
                continue;
            }
            for (long s = 0; s < size; s += chunkBytes) {
                out.add(new FileRange(i, f.toString(), display, s, Math.min(size, s + chunkBytes)));
            }
        }
        return out;
    }

    private static String displayName(Path f, Path base) {
        Path b = base.toAbsolutePath().normalize();
        if (java.nio.file.Files.isDirectory(b) && f.startsWith(b)) return b.relativize(f).toString();
        return f.getFileName().toString();
    }

    @Override
    public String toString() {
        return displayName + "[" + start + "," + (end == Long.MAX_VALUE ? "end" : end) + ")";
    }
}
