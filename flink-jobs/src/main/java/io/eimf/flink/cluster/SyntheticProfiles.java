package io.eimf.flink.cluster;

import java.util.SplittableRandom;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Synthetic profiles with planted clusters, generated inside the source task from the user id alone (never held by
 * the client: 1M x 384 floats would be 1.5 GB). User {@code u} belongs to planted cluster
 * {@code plantedCluster(u)}; its vector is that cluster's centre plus uniform noise of half-width {@code noise}.
 */
public final class SyntheticProfiles implements ProfileSource {
    private final long users;
    private final int dimension;
    private final int planted;
    private final double noise;
    private final long seed;

    /**
     * @param users number of profiles
     * @param dimension vector length
     * @param planted number of planted clusters
     * @param noise half-width of the per-coordinate uniform noise (centres are uniform in [-1, 1])
     * @param seed generator seed
     */
    public SyntheticProfiles(long users, int dimension, int planted, double noise, long seed) {
        this.users = users;
        this.dimension = dimension;
        this.planted = planted;
        this.noise = noise;
        this.seed = seed;
    }

    @Override
    public DataStream<Profile> build(StreamExecutionEnvironment env) {
        return env.fromSequence(0, users - 1).map(new Generate(dimension, planted, noise, seed))
                .returns(Profile.class).name("generate profiles");
    }

    @Override
    public long size() {
        return users;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    /** The planted cluster of user {@code u}. */
    public int plantedCluster(long u) {
        return Generate.cluster(u, planted, seed);
    }

    /** Generates one profile from its user id. */
    static final class Generate implements MapFunction<Long, Profile> {
        private final int dimension;
        private final int planted;
        private final double noise;
        private final long seed;
        private transient float[][] centres;

        Generate(int dimension, int planted, double noise, long seed) {
            this.dimension = dimension;
            this.planted = planted;
            this.noise = noise;
            this.seed = seed;
        }

        static int cluster(long u, int planted, long seed) {
            return new SplittableRandom(mix(seed, u)).nextInt(planted);
        }

        private static long mix(long seed, long u) {
            long z = seed * 0x9E3779B97F4A7C15L + u;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        @Override
        public Profile map(Long u) {
            if (centres == null) {
                SplittableRandom r = new SplittableRandom(seed);
                centres = new float[planted][dimension];
                for (float[] c : centres) for (int j = 0; j < dimension; j++) c[j] = (float) (2 * r.nextDouble() - 1);
            }
            SplittableRandom r = new SplittableRandom(mix(seed, u));
            float[] c = centres[r.nextInt(planted)];
            float[] v = new float[dimension];
            // Four 16-bit uniforms per nextLong: generation must stay cheap next to the distance computations.
            float scale = (float) (2 * noise / 65536.0);
            for (int j = 0; j < dimension; j += 4) {
                long bits = r.nextLong();
                for (int q = 0; q < 4 && j + q < dimension; q++) {
                    int x = (int) ((bits >>> (16 * q)) & 0xFFFF);
                    v[j + q] = c[j + q] + x * scale - (float) noise;
                }
            }
            return new Profile((int) (long) u, 0, v);
        }
    }
}
