package io.eimf.core.synth;

import io.eimf.core.io.AtomicOutput;
import io.eimf.core.json.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded generator of users with planted multiple interests. Each interest is a category of items whose titles name
 * it; a user's sequence mixes its 2..maxInterests categories in sessions, plus behavioural noise (random items).
 * Written as MovieLens-latest CSV ({@code ratings.csv}, {@code movies.csv}) so it goes through the same
 * {@code eimf prepare --format ml-latest} path as real data, and {@code truth.json} with the planted interests.
 */
public final class SyntheticData {
    static final String[] THEMES = {
        "Space", "Cooking", "Jazz", "Football", "Gardening", "Chess", "Vampire", "Pirate", "Robot", "Detective",
        "Samurai", "Dinosaur", "Opera", "Surfing", "Volcano", "Castle", "Desert", "Ocean", "Circus", "Railway",
        "Wizard", "Cowboy", "Ninja", "Jungle", "Arctic", "Galaxy", "Bakery", "Poetry", "Tennis", "Mountain",
        "Submarine", "Dragon", "Carnival", "Orchestra", "Cycling", "Safari", "Lighthouse", "Monastery", "Rodeo", "Comet"
    };
    private static final String[] NOUNS = {
        "Story", "Chronicles", "Adventure", "Mystery", "Legend", "Diaries", "Affair", "Quest", "Journey", "Secrets",
        "Tales", "Nights", "Days", "Dreams", "Games", "Rivals", "Heroes", "Echoes", "Files", "Road"
    };

    /**
     * Generator settings.
     *
     * @param users number of users
     * @param categories number of interest categories (at most 40 named themes; more reuse names with a suffix)
     * @param itemsPerCategory items in each category
     * @param minInterests least interests per user (at least 1)
     * @param maxInterests most interests per user
     * @param minLength shortest sequence
     * @param maxLength longest sequence
     * @param sessionLength mean run of consecutive items from one interest
     * @param behaviorNoise probability that an interaction is a uniformly random item
     * @param seed random seed: same seed, same output
     */
    public record Config(int users, int categories, int itemsPerCategory, int minInterests, int maxInterests,
                         int minLength, int maxLength, double sessionLength, double behaviorNoise, long seed) {
        public Config {
            if (users < 1 || categories < 1 || itemsPerCategory < 1) {
                throw new IllegalArgumentException("users, categories and itemsPerCategory must be positive");
            }
            if (minInterests < 1 || maxInterests < minInterests || maxInterests > categories) {
                throw new IllegalArgumentException("need 1 <= minInterests <= maxInterests <= categories");
            }
            if (minLength < 1 || maxLength < minLength) throw new IllegalArgumentException("need 1 <= minLength <= maxLength");
            if (behaviorNoise < 0 || behaviorNoise > 1) throw new IllegalArgumentException("behaviorNoise must be in [0,1]");
            if (sessionLength < 1) throw new IllegalArgumentException("sessionLength must be >= 1");
        }

        /** Small defaults that train in seconds. */
        public static Config defaults() {
            return new Config(1000, 12, 40, 2, 3, 20, 50, 4.0, 0.1, 42L);
        }

        public Config withUsers(int n) {
            return new Config(n, categories, itemsPerCategory, minInterests, maxInterests, minLength, maxLength,
                    sessionLength, behaviorNoise, seed);
        }

        public Config withSeed(long s) {
            return new Config(users, categories, itemsPerCategory, minInterests, maxInterests, minLength, maxLength,
                    sessionLength, behaviorNoise, s);
        }

        public Config withNoise(double noise) {
            return new Config(users, categories, itemsPerCategory, minInterests, maxInterests, minLength, maxLength,
                    sessionLength, noise, seed);
        }

        public Config withCatalogue(int cats, int perCategory) {
            return new Config(users, cats, perCategory, minInterests, Math.min(maxInterests, cats), minLength,
                    maxLength, sessionLength, behaviorNoise, seed);
        }

        public Config withLengths(int min, int max) {
            return new Config(users, categories, itemsPerCategory, minInterests, maxInterests, min, max,
                    sessionLength, behaviorNoise, seed);
        }
    }

    /** A generated item: raw id (1-based), title, its category name. */
    public record SynthItem(int id, String title, String category) {}

    /** One interaction. */
    public record Interaction(int user, int item, long timestamp) {}

    /** The generated data. */
    public record Generated(Config config, List<SynthItem> items, List<Interaction> interactions,
                            Map<Integer, List<String>> plantedInterests) {}

    private SyntheticData() {}

    /** Generates the data in memory; deterministic for a given config. */
    public static Generated generate(Config c) {
        SplittableRandom rnd = new SplittableRandom(c.seed());
        List<SynthItem> items = new ArrayList<>(c.categories() * c.itemsPerCategory());
        String[] names = new String[c.categories()];
        for (int k = 0; k < c.categories(); k++) {
            names[k] = THEMES[k % THEMES.length] + (k >= THEMES.length ? " " + (k / THEMES.length + 1) : "");
            for (int j = 0; j < c.itemsPerCategory(); j++) {
                int id = items.size() + 1;
                String title = names[k] + " " + NOUNS[rnd.nextInt(NOUNS.length)] + " " + (j + 1);
                items.add(new SynthItem(id, title, names[k]));
            }
        }
        // Popularity within a category follows 1/(rank+1): a long tail, as real catalogues have.
        double[] cdf = new double[c.itemsPerCategory()];
        double sum = 0;
        for (int j = 0; j < cdf.length; j++) cdf[j] = sum += 1.0 / (j + 1);
        for (int j = 0; j < cdf.length; j++) cdf[j] /= sum;

        List<Interaction> out = new ArrayList<>();
        Map<Integer, List<String>> truth = new LinkedHashMap<>();
        long t0 = 1_000_000_000L;
        for (int u = 1; u <= c.users(); u++) {
            int nInterests = c.minInterests() + rnd.nextInt(c.maxInterests() - c.minInterests() + 1);
            int[] cats = sampleDistinct(rnd, c.categories(), nInterests);
            List<String> planted = new ArrayList<>();
            for (int k : cats) planted.add(names[k]);
            truth.put(u, planted);
            int len = c.minLength() + rnd.nextInt(c.maxLength() - c.minLength() + 1);
            int current = cats[rnd.nextInt(cats.length)];
            long t = t0 + rnd.nextInt(1_000_000);
            for (int s = 0; s < len; s++) {
                if (rnd.nextDouble() < 1.0 / c.sessionLength()) current = cats[rnd.nextInt(cats.length)];
                int item;
                if (rnd.nextDouble() < c.behaviorNoise()) {
                    item = 1 + rnd.nextInt(items.size());
                } else {
                    int j = lowerBound(cdf, rnd.nextDouble());
                    item = current * c.itemsPerCategory() + j + 1;
                }
                t += 1 + rnd.nextInt(3600);
                out.add(new Interaction(u, item, t));
            }
        }
        return new Generated(c, items, out, truth);
    }

    /** Generates and writes ratings.csv, movies.csv and truth.json atomically into {@code dir}. */
    public static Generated writeMovieLensCsv(Config c, Path dir, boolean overwrite) throws IOException {
        Generated g = generate(c);
        AtomicOutput.directory(dir, overwrite, tmp -> {
            try (BufferedWriter w = Files.newBufferedWriter(tmp.resolve("movies.csv"), StandardCharsets.UTF_8)) {
                w.write("movieId,title,genres\n");
                for (SynthItem it : g.items()) w.write(it.id() + "," + it.title() + "," + it.category() + "\n");
            }
            try (BufferedWriter w = Files.newBufferedWriter(tmp.resolve("ratings.csv"), StandardCharsets.UTF_8)) {
                w.write("userId,movieId,rating,timestamp\n");
                for (Interaction x : g.interactions()) {
                    w.write(x.user() + "," + x.item() + ",4.0," + x.timestamp() + "\n");
                }
            }
            Map<String, Object> truth = new LinkedHashMap<>();
            truth.put("config", c);
            truth.put("plantedInterests", g.plantedInterests());
            Files.writeString(tmp.resolve("truth.json"), Json.pretty(truth));
        });
        return g;
    }

    private static int[] sampleDistinct(SplittableRandom rnd, int n, int k) {
        int[] pool = new int[n];
        for (int i = 0; i < n; i++) pool[i] = i;
        for (int i = 0; i < k; i++) {
            int j = i + rnd.nextInt(n - i);
            int tmp = pool[i];
            pool[i] = pool[j];
            pool[j] = tmp;
        }
        return java.util.Arrays.copyOf(pool, k);
    }

    private static int lowerBound(double[] cdf, double x) {
        int lo = 0, hi = cdf.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] < x) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
