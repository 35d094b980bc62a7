package io.eimf.llm.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.cli.UsageException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class TextEmbedderTest {
    private static final TextEmbedder EMBEDDER = TextEmbedder.create();

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    @Test
    void defaultModelIsQuantizedMiniLmWith384NormalisedDimensions() {
        assertEquals("all-minilm-l6-v2-q", EMBEDDER.modelName());
        assertEquals(384, EMBEDDER.dimension());
        float[] v = EMBEDDER.embed("Space Chronicles 3");
        assertEquals(384, v.length);
        assertEquals(1.0, dot(v, v), 1e-4);
    }

    @Test
    void similarTextsAreCloserThanUnrelatedOnes() {
        List<float[]> v = EMBEDDER.embedAll(List.of("science fiction films set in outer space",
                "movies about astronauts and galaxies", "recipes for baking sourdough bread"));
        assertTrue(dot(v.get(0), v.get(1)) > dot(v.get(0), v.get(2)) + 0.1,
                "space/space " + dot(v.get(0), v.get(1)) + " vs space/bread " + dot(v.get(0), v.get(2)));
    }

    @Test
    void batchEqualsSingleAndIsThreadSafe() throws Exception {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 16; i++) texts.add("Jazz Nights " + i + " | Jazz");
        List<float[]> batch = EMBEDDER.embedAll(texts);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> fs = new ArrayList<>();
            for (String t : texts) fs.add(pool.submit(() -> EMBEDDER.embed(t)));
            for (int i = 0; i < texts.size(); i++) assertArrayEquals(batch.get(i), fs.get(i).get(), 1e-5f);
        } finally {
            pool.shutdown();
        }
        assertEquals(List.of(), EMBEDDER.embedAll(List.of()));
    }

    @Test
    void unknownModelNameListsTheValidOnes() {
        UsageException e = assertThrows(UsageException.class, () -> TextEmbedder.create("bert-huge"));
        assertTrue(e.getMessage().contains("all-minilm-l6-v2-q") && e.getMessage().contains("e5-small-v2-q"),
                e.getMessage());
    }

    @Test
    void optionalModelsLoadAndNameThemselves() {
        for (EmbeddingModelName m : List.of(EmbeddingModelName.BGE_SMALL_EN_V15_Q, EmbeddingModelName.E5_SMALL_V2_Q)) {
            TextEmbedder e = TextEmbedder.create(m);
            assertEquals(m.id(), e.modelName());
            float[] v = e.embed("Chess Quest 1");
            assertEquals(384, v.length);
            assertEquals(1.0, dot(v, v), 1e-4);
        }
    }
}
