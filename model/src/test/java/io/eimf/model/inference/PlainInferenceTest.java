package io.eimf.model.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.dataset.Item;
import io.eimf.model.backbone.Backbones;
import io.eimf.model.export.ItemVocabulary;
import io.eimf.model.export.ModelDirectory;
import io.eimf.model.ibim.IbimConfig;
import io.eimf.model.ibim.IbimModel;
import io.eimf.model.nn.Param;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** The plain-Java single-request path ranks exactly as the batched ND4J path that evaluation uses. */
class PlainInferenceTest {
    static Stream<Arguments> cases() {
        // K=6 leaves a partial group of interests in the scorer; 400 items a partial block; both alignments
        return Backbones.NAMES.stream().flatMap(b -> Stream.of(Arguments.of(b, 4, "left"), Arguments.of(b, 6, "left"),
                Arguments.of(b, 4, "right")));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void plainJavaPathMatchesNd4jPath(String backbone, int k, String align) {
        int numItems = 400;
        IbimModel model = new IbimModel(new IbimConfig(backbone, 16, k, 20, numItems, "glorot", 0, align),
                DataType.FLOAT, 3);
        // Fresh models have zero biases; perturb every parameter so biases, positions and routing init all matter.
        Nd4j.getRandom().setSeed(5);
        for (Param p : model.params().all()) p.value().addi(Nd4j.randn(DataType.FLOAT, p.shape()).muli(0.1));
        Recommender r = recommender(model);
        SplittableRandom rnd = new SplittableRandom(17);
        boolean merged = false;
        for (int u = 0; u < 40; u++) {
            // lengths 1..30: short histories (padding) and ones longer than maxLen=20 (truncation)
            int[] h = new int[1 + rnd.nextInt(30)];
            for (int i = 0; i < h.length; i++) h[i] = 1 + rnd.nextInt(numItems);
            int n = u == 0 ? numItems + 10 : 50; // once past the catalogue size: every item, each once
            Recommender.Result plain = r.recommendDense(h, n);
            Recommender.Result nd4j = r.recommendDenseNd4j(h, n);
            assertEquals(ids(nd4j), ids(plain), backbone + " history " + u);
            for (int i = 0; i < plain.items().size(); i++) {
                assertEquals(nd4j.items().get(i).score(), plain.items().get(i).score(), 1e-4f);
                assertEquals(nd4j.items().get(i).interest(), plain.items().get(i).interest());
            }
            for (int kk = 0; kk < k; kk++) assertArrayEquals(nd4j.interests()[kk], plain.interests()[kk], 1e-4f);
            assertEquals(nd4j.historyUsed(), plain.historyUsed());
            merged |= plain.items().stream().map(Recommender.Item::interest).distinct().count() > 1;
        }
        // more than one interest wins items, so the merge across K is exercised
        assertTrue(merged, backbone + ": every top list came from a single interest");
    }

    private static Recommender recommender(IbimModel model) {
        List<Item> items = new ArrayList<>();
        for (int i = 1; i <= model.config().numItems(); i++) items.add(new Item(i, "r" + i, "t" + i, List.of(), null));
        return new Recommender(model, ItemVocabulary.of(items),
                new ModelDirectory.Descriptor("eimf-ibim", 1, model.config(), Map.of(), Map.of(), null));
    }

    private static List<Integer> ids(Recommender.Result r) {
        return r.items().stream().map(Recommender.Item::id).toList();
    }
}
