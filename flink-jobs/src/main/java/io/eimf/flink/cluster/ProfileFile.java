package io.eimf.flink.cluster;

import io.eimf.core.cli.EimfException;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * Profiles materialised once (text embeddings are costly) as fixed-width little-endian records
 * {@code int user, int interactions, float[d]}, so every Lloyd pass re-reads them in parallel blocks: a sequence
 * source hands out block numbers and each subtask reads its blocks with positioned reads.
 */
public final class ProfileFile implements ProfileSource {
    /** Records per block: the unit of parallel reading. */
    static final int BLOCK = 4096;

    private final Path file;
    private final long size;
    private final int dimension;

    private ProfileFile(Path file, long size, int dimension) {
        this.file = file;
        this.size = size;
        this.dimension = dimension;
    }

    /** Writes {@code profiles} (every vector of length {@code dimension}) and returns a source over them. */
    public static ProfileFile write(Path file, List<Profile> profiles, int dimension) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(recordBytes(dimension)).order(ByteOrder.LITTLE_ENDIAN);
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            for (Profile p : profiles) {
                if (p.vector.length != dimension) {
                    throw new EimfException("user " + p.user + ": profile has " + p.vector.length
                            + " values, expected " + dimension);
                }
                buf.clear();
                buf.putInt(p.user).putInt(p.interactions);
                for (float f : p.vector) buf.putFloat(f);
                out.write(buf.array());
            }
        }
        return new ProfileFile(file, profiles.size(), dimension);
    }

    static int recordBytes(int dimension) {
        return 8 + 4 * dimension;
    }

    @Override
    public DataStream<Profile> build(StreamExecutionEnvironment env) {
        long blocks = Math.max(1, (size + BLOCK - 1) / BLOCK);
        return env.fromSequence(0, blocks - 1)
                .flatMap(new ReadBlock(file.toAbsolutePath().toString(), size, dimension))
                .returns(Profile.class)
                .name("read profiles");
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    /** Reads one block of records. */
    static final class ReadBlock implements FlatMapFunction<Long, Profile> {
        private final String path;
        private final long size;
        private final int dimension;

        ReadBlock(String path, long size, int dimension) {
            this.path = path;
            this.size = size;
            this.dimension = dimension;
        }

        @Override
        public void flatMap(Long block, Collector<Profile> out) throws IOException {
            long first = block * BLOCK;
            long n = Math.min(BLOCK, size - first);
            if (n <= 0) return;
            int rec = recordBytes(dimension);
            ByteBuffer buf = ByteBuffer.allocate((int) (n * rec)).order(ByteOrder.LITTLE_ENDIAN);
            try (FileChannel ch = FileChannel.open(Path.of(path), StandardOpenOption.READ)) {
                long pos = first * rec;
                while (buf.hasRemaining()) {
                    int r = ch.read(buf, pos + buf.position());
                    if (r < 0) throw new IOException(path + ": truncated profile file at block " + block);
                }
            }
            buf.flip();
            for (long i = 0; i < n; i++) {
                int user = buf.getInt();
                int interactions = buf.getInt();
                float[] v = new float[dimension];
                for (int j = 0; j < dimension; j++) v[j] = buf.getFloat();
                out.collect(new Profile(user, interactions, v));
            }
        }
    }
}
