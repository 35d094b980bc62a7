package io.eimf.llm.embed;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.e5smallv2q.E5SmallV2QuantizedEmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * In-process sentence embedder: a plain, thread-safe library class (no server needed) so Flink tasks can embed
 * item texts for clustering with exactly the model the llm-service uses for interest texts. Vectors are
 * L2-normalised so a dot product is the cosine similarity.
 *
 * <p>By default batches run on the calling thread (no hidden thread pool inside a Flink task); pass an
 * {@link Executor} to spread a batch over several threads.
 */
public final class TextEmbedder {
    private final EmbeddingModelName name;
    private final EmbeddingModel model;
    private final int dimension;

    private TextEmbedder(EmbeddingModelName name, EmbeddingModel model) {
        this.name = name;
        this.model = model;
        this.dimension = model.dimension();
    }

    /** The default model ({@code all-minilm-l6-v2-q}) batching on the calling thread. */
    public static TextEmbedder create() {
        return create(EmbeddingModelName.ALL_MINILM_L6_V2_Q);
    }

    /** The named model batching on the calling thread. */
    public static TextEmbedder create(String modelName) {
        return create(EmbeddingModelName.parse(modelName));
    }

    /** The given model batching on the calling thread. */
    public static TextEmbedder create(EmbeddingModelName name) {
        return create(name, Runnable::run);
    }

    /** The given model; batches are split over {@code executor}. */
    public static TextEmbedder create(EmbeddingModelName name, Executor executor) {
        Objects.requireNonNull(executor, "executor");
        EmbeddingModel m = switch (name) {
            case ALL_MINILM_L6_V2_Q -> new AllMiniLmL6V2QuantizedEmbeddingModel(executor);
            case BGE_SMALL_EN_V15_Q -> new BgeSmallEnV15QuantizedEmbeddingModel(executor);
            case E5_SMALL_V2_Q -> new E5SmallV2QuantizedEmbeddingModel(executor);
        };
        return new TextEmbedder(name, m);
    }

    /** The model's name as written into outputs, e.g. {@code all-minilm-l6-v2-q}. */
    public String modelName() {
        return name.id();
    }

    /** Which model this is. */
    public EmbeddingModelName model() {
        return name;
    }

    /** Vector length (384 for every shipped model). */
    public int dimension() {
        return dimension;
    }

    /** Embeds one text. */
    public float[] embed(String text) {
        return embedAll(List.of(text)).get(0);
    }

    /** Embeds texts in order; an empty list gives an empty list. */
    public List<float[]> embedAll(List<String> texts) {
        if (texts.isEmpty()) return List.of();
        List<TextSegment> segments = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            String t = texts.get(i);
            if (t == null) throw new IllegalArgumentException("text " + i + " is null");
            // LangChain4j refuses blank segments; a blank text embeds as the prefix alone (or a single space).
            String s = name.prefix() + t;
            segments.add(TextSegment.from(s.isBlank() ? " " : s));
        }
        List<Embedding> out = model.embedAll(segments).content();
        List<float[]> vectors = new ArrayList<>(out.size());
        for (Embedding e : out) vectors.add(normalize(e.vector()));
        return vectors;
    }

    private static float[] normalize(float[] v) {
        double n = 0;
        for (float x : v) n += (double) x * x;
        n = Math.sqrt(n);
        if (n == 0) return v;
        float[] o = new float[v.length];
        for (int i = 0; i < v.length; i++) o[i] = (float) (v[i] / n);
        return o;
    }
}
