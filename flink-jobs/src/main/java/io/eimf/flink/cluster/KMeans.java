package io.eimf.flink.cluster;

import io.eimf.core.cli.EimfException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Seeded k-means over a {@link ProfileSource} as bounded Flink batch jobs driven by a client loop (Flink 2.x has no
 * iterations and Flink ML does not run on it): one job draws the k-means++ sample, then one job per Lloyd iteration
 * assigns every profile to its nearest centroid (the centroids travel inside the job's closure) and returns per-
 * subtask sums, from which the client computes the next centroids. Stops when the relative inertia change falls
 * below the tolerance, when no centroid moves, or at the iteration cap (a tolerance of 0 always runs to the cap).
 */
public final class KMeans {

    /**
     * @param k number of clusters
     * @param seed seed of the initialisation sample and of k-means++
     * @param maxIterations Lloyd iteration cap
     * @param tolerance stop once |inertia_prev - inertia| / inertia_prev falls below this (0: run to the cap)
     * @param initSample k-means++ chooses centres from a seeded sample of about this many profiles
     */
    public record Config(int k, long seed, int maxIterations, double tolerance, int initSample) {
        public Config {
            if (k < 1) throw new EimfException("--k must be at least 1, got " + k);
            if (maxIterations < 1) throw new EimfException("--max-iterations must be at least 1, got " + maxIterations);
            if (tolerance < 0) throw new EimfException("--tolerance must be >= 0, got " + tolerance);
            if (initSample < k) throw new EimfException("--init-sample (" + initSample + ") must be at least k (" + k + ")");
        }
    }

    /**
     * @param centroids final centroids, index = cluster id
     * @param inertiaHistory inertia of each iteration's assignment step
     * @param iterations Lloyd iterations run
     * @param converged whether it stopped before the cap
     * @param initSampleSize profiles k-means++ chose from
     * @param initSeconds wall time of the sampling job and k-means++
     * @param iterationSeconds wall time of each iteration's job
     */
    public record Result(float[][] centroids, List<Double> inertiaHistory, int iterations, boolean converged,
                         int initSampleSize, double initSeconds, List<Double> iterationSeconds) {}

    /** Told about every finished iteration (for progress lines). */
    public interface Listener {
        void iteration(int iteration, double inertia, long[] sizes, double seconds);
    }

    private KMeans() {}

    /** Runs k-means on {@code source}. */
    public static Result fit(ProfileSource source, Config c, FlinkRuntime rt, Listener listener) throws Exception {
        if (source.size() < c.k()) {
            throw new EimfException("cannot make k=" + c.k() + " clusters from " + source.size() + " profiles");
        }
        long t0 = System.nanoTime();
        List<Profile> sample = initSample(source, c, rt);
        float[][] centroids = KMeansPlusPlus.choose(sample, c.k(), c.seed());
        double initSeconds = (System.nanoTime() - t0) / 1e9;

        List<Double> inertia = new ArrayList<>();
        List<Double> seconds = new ArrayList<>();
        boolean converged = false;
        int d = source.dimension();
        int it = 0;
        while (it < c.maxIterations()) {
            it++;
            long s = System.nanoTime();
            StreamExecutionEnvironment env = rt.env();
            List<PartialSums> parts = Collect.all(source.build(env)
                    .transform("assign and sum", TypeInformation.of(PartialSums.class),
                            new PartitionSums(centroids, false))
                    .executeAndCollect("eimf k-means iteration " + it));
            long[] sums = new long[c.k() * d];
            long[] counts = new long[c.k()];
            long fixedInertia = 0;
            for (PartialSums p : parts) {
                for (int i = 0; i < sums.length; i++) sums[i] = Math.addExact(sums[i], p.sums[i]);
                for (int j = 0; j < counts.length; j++) counts[j] += p.counts[j];
                fixedInertia = Math.addExact(fixedInertia, p.inertia);
            }
            float[][] next = recentre(centroids, sums, counts, d);
            boolean moved = !Arrays.deepEquals(next, centroids);
            centroids = next;
            if (endOfIteration(c, listener, it, moved, fixedInertia / VectorMath.INERTIA_SCALE, counts, s, inertia,
                    seconds)) {
                converged = true;
                break;
            }
        }
        return new Result(centroids, inertia, it, converged, sample.size(), initSeconds, seconds);
    }

    /**
     * The same k-means over profiles held in memory, in one task: the job-on-a-cluster form of {@code eimf cluster}
     * (one submitted job cannot drive a loop of jobs). The sample, k-means++ and the fixed-point sums are the same
     * (integer sums do not depend on how profiles are split over subtasks), so the centroids and every later byte
     * equal {@link #fit}'s.
     */
    public static Result fitLocal(List<Profile> byUser, Config c, Listener listener) {
        if (byUser.size() < c.k()) {
            throw new EimfException("cannot make k=" + c.k() + " clusters from " + byUser.size() + " profiles");
        }
        long t0 = System.nanoTime();
        double p = Math.min(1.0, (double) c.initSample() / byUser.size());
        SampleFilter keep = new SampleFilter(p, c.seed());
        List<Profile> sample = new ArrayList<>();
        for (Profile x : byUser) if (keep.filter(x)) sample.add(x);
        float[][] centroids = KMeansPlusPlus.choose(sample, c.k(), c.seed());
        double initSeconds = (System.nanoTime() - t0) / 1e9;
        List<Double> inertia = new ArrayList<>();
        List<Double> seconds = new ArrayList<>();
        boolean converged = false;
        int d = byUser.get(0).vector.length;
        double[] dist = new double[1];
        int it = 0;
        while (it < c.maxIterations()) {
            it++;
            long s = System.nanoTime();
            long[] sums = new long[c.k() * d];
            long[] counts = new long[c.k()];
            long fixedInertia = 0;
            for (Profile x : byUser) {
                if (x.vector.length != d) {
                    throw new IllegalStateException("user " + x.user + ": profile has " + x.vector.length
                            + " values, centroids have " + d);
                }
                int j = VectorMath.nearest(centroids, x.vector, dist);
                counts[j]++;
                fixedInertia = Math.addExact(fixedInertia, Math.round(dist[0] * VectorMath.INERTIA_SCALE));
                for (int i = 0; i < d; i++) sums[j * d + i] = Math.addExact(sums[j * d + i], VectorMath.fixed(x.vector[i], x.user));
            }
            float[][] next = recentre(centroids, sums, counts, d);
            boolean moved = !Arrays.deepEquals(next, centroids);
            centroids = next;
            if (endOfIteration(c, listener, it, moved, fixedInertia / VectorMath.INERTIA_SCALE, counts, s, inertia,
                    seconds)) {
                converged = true;
                break;
            }
        }
        return new Result(centroids, inertia, it, converged, sample.size(), initSeconds, seconds);
    }

    /** Each centroid moved to the mean of its points (fixed-point sums); an empty cluster keeps its centroid. */
    private static float[][] recentre(float[][] centroids, long[] sums, long[] counts, int d) {
        float[][] next = new float[centroids.length][];
        for (int j = 0; j < centroids.length; j++) {
            if (counts[j] == 0) {
                next[j] = centroids[j]; // rather than vanishing
                continue;
            }
            next[j] = new float[d];
            for (int i = 0; i < d; i++) next[j][i] = (float) (sums[j * d + i] / VectorMath.SUM_SCALE / counts[j]);
        }
        return next;
    }

    /** Records an iteration (inertia, time, listener) and says whether the run has converged. */
    private static boolean endOfIteration(Config c, Listener listener, int it, boolean moved, double in, long[] counts,
                                          long startNanos, List<Double> inertia, List<Double> seconds) {
        double secs = (System.nanoTime() - startNanos) / 1e9;
        seconds.add(secs);
        double prev = inertia.isEmpty() ? Double.NaN : inertia.get(inertia.size() - 1);
        inertia.add(in);
        if (listener != null) listener.iteration(it, in, counts, secs);
        // Tolerance 0 means "run to the cap" (benchmarks time a fixed number of iterations).
        return c.tolerance() > 0 && (!moved
                || (!Double.isNaN(prev) && prev > 0 && Math.abs(prev - in) / prev < c.tolerance()));
    }

    /** {@link #assign} over profiles held in memory, ordered by user. */
    public static List<Assigned> assignLocal(List<Profile> byUser, float[][] centroids) {
        AssignOne one = new AssignOne(centroids);
        List<Assigned> out = new ArrayList<>(byUser.size());
        for (Profile x : byUser) out.add(one.map(x));
        return out;
    }

    /** Assigns every profile to its nearest centroid in one bounded job. */
    public static List<Assigned> assign(ProfileSource source, float[][] centroids, FlinkRuntime rt) throws Exception {
        List<Assigned> out = Collect.all(source.build(rt.env()).map(new AssignOne(centroids))
                .returns(Assigned.class).name("assign")
                .executeAndCollect("eimf k-means assignment"));
        out.sort(Comparator.comparingInt(a -> a.user));
        return out;
    }

    /** A seeded sample of about {@code initSample} profiles, ordered by user id; all profiles when few. */
    static List<Profile> initSample(ProfileSource source, Config c, FlinkRuntime rt) throws Exception {
        double p = Math.min(1.0, (double) c.initSample() / source.size());
        List<Profile> sample = Collect.all(source.build(rt.env()).filter(new SampleFilter(p, c.seed()))
                .name("k-means++ sample").executeAndCollect("eimf k-means++ sample"));
        sample.sort(Comparator.comparingInt(x -> x.user));
        return sample;
    }

    /** Keeps a profile when a hash of (seed, user) falls below {@code p}: the same users on every run. */
    static final class SampleFilter implements FilterFunction<Profile> {
        private final double p;
        private final long seed;

        SampleFilter(double p, long seed) {
            this.p = p;
            this.seed = seed;
        }

        @Override
        public boolean filter(Profile x) {
            if (p >= 1.0) return true;
            long z = (seed ^ 0x5DEECE66DL) * 0x9E3779B97F4A7C15L + x.user;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
            return (z >>> 11) * 0x1.0p-53 < p;
        }
    }

    /** Nearest centroid and Euclidean distance of one profile. */
    static final class AssignOne implements MapFunction<Profile, Assigned> {
        private final float[][] centroids;

        AssignOne(float[][] centroids) {
            this.centroids = centroids;
        }

        @Override
        public Assigned map(Profile p) {
            double[] dist = new double[1];
            int c = VectorMath.nearest(centroids, p.vector, dist);
            return new Assigned(p.user, c, Math.sqrt(dist[0]), p.interactions);
        }
    }
}
