package io.eimf.serve;

import io.eimf.model.inference.Recommender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** A {@link ServingModel} over the model module's {@link Recommender} (its scoring, its item vocabulary). */
public final class RecommenderModel implements ServingModel {
    private final Recommender recommender;
    private final String describe;
    private final String version;

    public RecommenderModel(Recommender recommender, String describe, String version) {
        this.recommender = recommender;
        this.describe = describe;
        this.version = version;
    }

    /**
     * Loads an exported model folder (model.json, weights.bin, items.tsv, and ann.hnsw when model.json lists one), or
     * the one folder below it holding one; retrieval through the index when there is one.
     */
    public static RecommenderModel load(Path dir, String describe, String version) throws IOException {
        return load(dir, describe, version, Retrieval.ANN);
    }

    /** As {@link #load(Path, String, String)}; {@link Retrieval#EXACT} ignores any index. */
    public static RecommenderModel load(Path dir, String describe, String version, Retrieval retrieval)
            throws IOException {
        return new RecommenderModel(Recommender.load(modelFolder(dir), retrieval == Retrieval.ANN), describe, version);
    }

    /** {@code --retrieval}: ANN uses the folder's index when it has one (else exact); EXACT never reads it. */
    public enum Retrieval {
        EXACT, ANN;

        /** Parses {@code exact} or {@code ann}. */
        public static Retrieval parse(String s) {
            return switch (s) {
                case "exact" -> EXACT;
                case "ann" -> ANN;
                default -> throw new io.eimf.core.cli.UsageException("--retrieval must be exact or ann, got '" + s + "'");
            };
        }
    }

    /** {@code dir} itself when it holds model.json, else its only sub-folder that does (registry downloads nest it). */
    public static Path modelFolder(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve("model.json"))) return dir;
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": no such model folder");
        List<Path> found;
        try (Stream<Path> w = Files.walk(dir, 3)) {
            found = w.filter(p -> p.getFileName().toString().equals("model.json")).map(Path::getParent).toList();
        }
        if (found.size() != 1) {
            throw new IOException(dir + ": " + (found.isEmpty() ? "no exported model (model.json) inside"
                    : "several exported models inside: " + found));
        }
        return found.get(0);
    }

    public Recommender recommender() {
        return recommender;
    }

    @Override
    public String describe() {
        return describe;
    }

    @Override
    public String retrieval() {
        return recommender.retrieval();
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public int numItems() {
        return recommender.vocabulary().size();
    }

    @Override
    public int numInterests() {
        return recommender.descriptor().config().interests();
    }

    @Override
    public int itemId(String rawId) {
        return recommender.vocabulary().dense(rawId);
    }

    @Override
    public String rawId(int itemId) {
        return recommender.vocabulary().raw(itemId);
    }

    @Override
    public String title(int itemId) {
        return recommender.vocabulary().title(itemId);
    }

    @Override
    public Ranked recommend(int[] history, int n) {
        List<Recommender.Item> items = recommender.recommendDense(history, n).items();
        int[] ids = new int[items.size()];
        float[] scores = new float[items.size()];
        int[] ks = new int[items.size()];
        for (int i = 0; i < ids.length; i++) {
            Recommender.Item it = items.get(i);
            ids[i] = it.id();
            scores[i] = it.score();
            ks[i] = it.interest();
        }
        return new Ranked(ids, scores, ks);
    }
}
