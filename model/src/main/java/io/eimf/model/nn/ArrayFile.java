package io.eimf.model.nn;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads arrays written by {@code Nd4j.write} from an untrusted file without letting its headers decide how much
 * memory is taken: each array's header (shape buffer, then the data buffer's length and type) is read first, the
 * shape must be the one expected and the data must fit in the bytes the file still holds; only then does
 * {@code Nd4j.read} allocate. A short file is reported as truncated, naming the file and the array.
 */
public final class ArrayFile extends DataInputStream {
    /** The most dimensions an array may claim. */
    static final int MAX_RANK = 32;
    private final Counting counting;
    private final Path file;
    private final long size;

    private ArrayFile(Counting c, Path file, long size) {
        super(c);
        this.counting = c;
        this.file = file;
        this.size = size;
    }

    /** Opens a plain file (not a link); a missing one is a {@link ModelFormatException} naming it. */
    public static ArrayFile open(Path file) throws IOException {
        if (Files.isSymbolicLink(file) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new ModelFormatException(file + ": missing or not a plain file");
        }
        long size = Files.size(file);
        return new ArrayFile(new Counting(new BufferedInputStream(Files.newInputStream(file), 1 << 16)), file, size);
    }

    /** The file being read. */
    public Path file() {
        return file;
    }

    /** Bytes not yet read. */
    public long remaining() {
        return size - counting.pos;
    }

    /** Fails unless every byte was read (trailing bytes mean the file is not what its header says). */
    public void requireEnd() throws IOException {
        if (remaining() != 0) throw new ModelFormatException(file + ": " + remaining() + " unexpected bytes after the last array");
    }

    /**
     * The next array, which must have {@code expectedShape} (null: any shape, still bounded by the file's size).
     *
     * @param name the array's name, for messages
     */
    public INDArray readArray(long[] expectedShape, String name) throws IOException {
        try {
            mark(64 * 1024);
            long[] shape = peekHeader(name);
            if (expectedShape != null && !Arrays.equals(shape, expectedShape)) {
                throw new ModelFormatException(file + ": parameter " + name + " has shape " + Arrays.toString(shape)
                        + ", the model expects " + Arrays.toString(expectedShape));
            }
            reset();
            return Nd4j.read(this);
        } catch (EOFException e) {
            throw truncated(name, e);
        }
    }

    /** Reads an int, reporting a short file as truncated. */
    public int readIntOf(String what) throws IOException {
        try {
            return readInt();
        } catch (EOFException e) {
            throw truncated(what, e);
        }
    }

    /** Reads a name, reporting a short file as truncated. */
    public String readNameOf(String what) throws IOException {
        try {
            return readUTF();
        } catch (EOFException e) {
            throw truncated(what, e);
        }
    }

    /** Reads a flag, reporting a short file as truncated. */
    public boolean readFlagOf(String what) throws IOException {
        try {
            return readBoolean();
        } catch (EOFException e) {
            throw truncated(what, e);
        }
    }

    private ModelFormatException truncated(String what, EOFException e) {
        return new ModelFormatException(file + ": truncated (" + size + " bytes) while reading " + what, e);
    }

    /** Reads the shape and data headers, checks them against the bytes left, and returns the shape. */
    private long[] peekHeader(String name) throws IOException {
        readUTF(); // allocation mode
        long shapeLen = readLong();
        String shapeType = readUTF();
        if (!"LONG".equals(shapeType) || shapeLen < 4 || shapeLen > 2L * MAX_RANK + 4) {
            throw bad(name, "shape header (" + shapeType + ", " + shapeLen + " entries)");
        }
        long rank = readLong();
        if (rank < 0 || rank > MAX_RANK || shapeLen != 2 * rank + 4) throw bad(name, "rank " + rank);
        long[] shape = new long[(int) rank];
        long count = 1;
        for (int i = 0; i < rank; i++) {
            shape[i] = readLong();
            if (shape[i] < 0) throw bad(name, "shape " + Arrays.toString(shape));
            try {
                count = Math.multiplyExact(count, shape[i]);
            } catch (ArithmeticException e) {
                throw bad(name, "shape whose size overflows");
            }
        }
        for (long i = rank + 1; i < shapeLen; i++) readLong();
        readUTF(); // allocation mode
        long dataLen = readLong();
        String type = readUTF();
        int width = switch (type) {
            case "FLOAT", "INT", "UINT32" -> 4;
            case "DOUBLE", "LONG", "UINT64" -> 8;
            case "HALF", "BFLOAT16", "SHORT", "UINT16" -> 2;
            case "BYTE", "UBYTE", "BOOL" -> 1;
            default -> throw bad(name, "data type " + type);
        };
        if (dataLen != count) {
            throw bad(name, "data length " + dataLen + " for shape " + Arrays.toString(shape) + " (" + count + " values)");
        }
        if (dataLen > remaining() / width) {
            throw new ModelFormatException(file + ": parameter " + name + " claims " + dataLen + " " + type
                    + " values but only " + remaining() + " bytes remain (truncated or damaged)");
        }
        return shape;
    }

    private ModelFormatException bad(String name, String what) {
        return new ModelFormatException(file + ": parameter " + name + " has an invalid header: " + what);
    }

    /** Counts the bytes read, following mark and reset. */
    private static final class Counting extends FilterInputStream {
        long pos;
        long mark;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) pos++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) pos += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            pos += s;
            return s;
        }

        @Override
        public synchronized void mark(int limit) {
            super.mark(limit);
            mark = pos;
        }

        @Override
        public synchronized void reset() throws IOException {
            super.reset();
            pos = mark;
        }
    }
}
