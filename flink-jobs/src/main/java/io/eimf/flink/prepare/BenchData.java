package io.eimf.flink.prepare;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Streams a seeded synthetic MovieLens-latest folder of a given number of interactions straight to disk (nothing is
 * held per interaction): users of 3..80 interactions, a Zipf-like catalogue of {@code interactions / 200} items, so
 * both the item and the user filter drop something, as on real data.
 */
public final class BenchData {
    private BenchData() {}

    /** Writes ratings.csv and movies.csv into {@code dir}; returns the number of interactions written. */
    public static long write(Path dir, long interactions, long seed) throws IOException {
        Files.createDirectories(dir);
        int items = (int) Math.max(1000, interactions / 200);
        SplittableRandom rnd = new SplittableRandom(seed);
        // Popularity ~ 1/(rank+10): sampled by inverting the cumulative sum.
        double[] cdf = new double[items];
        double sum = 0;
        for (int i = 0; i < items; i++) cdf[i] = sum += 1.0 / (i + 10);
        for (int i = 0; i < items; i++) cdf[i] /= sum;
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("movies.csv"), StandardCharsets.UTF_8)) {
            w.write("movieId,title,genres\n");
            for (int i = 1; i <= items; i++) w.write(i + ",Movie " + i + " (2000),Genre" + (i % 17) + "|Genre" + (i % 5) + "\n");
        }
        long written = 0;
        try (BufferedWriter w = new BufferedWriter(new java.io.OutputStreamWriter(
                Files.newOutputStream(dir.resolve("ratings.csv")), StandardCharsets.UTF_8), 1 << 16)) {
            w.write("userId,movieId,rating,timestamp\n");
            StringBuilder b = new StringBuilder(64);
            int user = 0;
            while (written < interactions) {
                user++;
                int len = (int) Math.min(interactions - written, 3 + rnd.nextInt(78));
                long t = 1_000_000_000L + rnd.nextInt(100_000_000);
                for (int k = 0; k < len; k++) {
                    double x = rnd.nextDouble();
                    int lo = 0, hi = items - 1;
                    while (lo < hi) {
                        int mid = (lo + hi) >>> 1;
                        if (cdf[mid] < x) lo = mid + 1;
                        else hi = mid;
                    }
                    t += rnd.nextInt(5000); // repeats happen: ties are broken by input order
                    b.setLength(0);
                    b.append(user).append(',').append(lo + 1).append(',').append(1 + rnd.nextInt(5)).append(".0,")
                            .append(t).append('\n');
                    w.append(b);
                }
                written += len;
            }
        }
        return written;
    }
}
