package io.eimf.flink.cluster;

import io.eimf.core.dataset.Item;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.dataset.UserSequence;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Turns one {@code sequences.tsv} line into a user profile inside a Flink task. Only
 * {@link UserSequence#promptVisibleItems()} are used: a valid/test user (comirec) has none and gets no profile, a loo
 * user loses its last two items. Subclasses load what they need in {@link #open} (the item catalogue, a model).
 */
public abstract class ProfileFeatures extends RichFlatMapFunction<String, Profile> {
    /** {@code --features categories}. */
    public static final String CATEGORIES = "categories";
    /** {@code --features text}. */
    public static final String TEXT = "text";

    private final String itemsFile;
    protected transient List<Item> items;

    protected ProfileFeatures(Path itemsFile) {
        this.itemsFile = itemsFile.toAbsolutePath().toString();
    }

    /** Vector length. */
    public abstract int dimension();

    /** The embedding model behind the features, null when none. */
    public String embeddingModel() {
        return null;
    }

    /** The profile of a non-empty list of prompt-visible items. */
    protected abstract float[] profile(int[] visible);

    @Override
    public void open(OpenContext ctx) throws Exception {
        items = readItems(Path.of(itemsFile));
    }

    @Override
    public void flatMap(String line, Collector<Profile> out) {
        if (line.isEmpty() || line.startsWith(PreparedDataset.SEQUENCES_HEADER)) return;
        UserSequence s = PreparedDataset.parseSequence(line);
        int[] visible = s.promptVisibleItems();
        if (visible.length == 0) return;
        out.collect(new Profile(s.user(), visible.length, profile(visible)));
    }

    static List<Item> readItems(Path file) throws IOException {
        List<Item> items = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isBlank()) items.add(PreparedDataset.parseItem(line));
            }
        }
        return items;
    }

    /**
     * Normalised category histogram: each visible item spreads a weight of 1 over its categories; the vector is
     * divided by the number of items that have categories, so it sums to 1 (0 when none has).
     */
    public static final class CategoryHistogram extends ProfileFeatures {
        private final List<String> vocabulary;
        private transient Map<String, Integer> index;

        /** @param vocabulary every category of the catalogue, in a fixed order (the vector's coordinates) */
        public CategoryHistogram(Path itemsFile, List<String> vocabulary) {
            super(itemsFile);
            this.vocabulary = List.copyOf(vocabulary);
        }

        /** The sorted set of categories in a catalogue. */
        public static List<String> vocabulary(List<Item> items) {
            java.util.TreeSet<String> set = new java.util.TreeSet<>();
            for (Item it : items) set.addAll(it.categories());
            return new ArrayList<>(set);
        }

        @Override
        public int dimension() {
            return vocabulary.size();
        }

        @Override
        public void open(OpenContext ctx) throws Exception {
            super.open(ctx);
            index = new HashMap<>();
            for (int i = 0; i < vocabulary.size(); i++) index.put(vocabulary.get(i), i);
        }

        @Override
        protected float[] profile(int[] visible) {
            double[] h = new double[vocabulary.size()];
            int withCategories = 0;
            for (int id : visible) {
                List<String> cats = items.get(id - 1).categories();
                if (cats.isEmpty()) continue;
                withCategories++;
                for (String c : cats) h[index.get(c)] += 1.0 / cats.size();
            }
            float[] v = new float[h.length];
            if (withCategories > 0) for (int i = 0; i < h.length; i++) v[i] = (float) (h[i] / withCategories);
            return v;
        }
    }
}
