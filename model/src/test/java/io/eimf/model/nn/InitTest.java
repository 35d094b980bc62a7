package io.eimf.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.json.Json;
import io.eimf.model.ibim.IbimConfig;
import io.eimf.model.ibim.IbimModel;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class InitTest {
    private static final int ITEMS = 400;

    @Test
    void kaimingDrawsEveryWeightWithPyTorchsFanIn() {
        int d = 32;
        int k = 4;
        int l = 20;
        IbimModel sa = new IbimModel(new IbimConfig("comirec-sa", d, k, l, ITEMS, "kaiming", 0), DataType.DOUBLE, 3);
        assertStd(sa.itemEmbeddings().value(), Math.sqrt(2.0 / d));                     // nn.Embedding [n, d]
        assertStd(sa.params().get("sa.position").value(), Math.sqrt(2.0 / (l * d)));   // [1, L, d]
        assertStd(sa.params().get("sa.w1.W").value(), Math.sqrt(2.0 / d));             // nn.Linear(d, 4d)
        assertStd(sa.params().get("sa.w2.W").value(), Math.sqrt(2.0 / (4 * d)));       // nn.Linear(4d, K)
        assertEquals(0, sa.params().get("sa.w1.b").value().amaxNumber().doubleValue());
        IbimModel dr = new IbimModel(new IbimConfig("comirec-dr", d, k, l, ITEMS, "kaiming", 0), DataType.DOUBLE, 3);
        assertStd(dr.params().get("dr.bilinear").value(), Math.sqrt(2.0 / ((double) l * k * d * d))); // [1, L, K*d, d]
    }

    @Test
    void glorotIsTensorFlowsStartAndTheDefault() {
        int d = 32;
        IbimModel sa = new IbimModel(IbimConfig.defaults("comirec-sa", ITEMS), DataType.DOUBLE, 3);
        assertEquals("glorot", sa.config().init());
        // Glorot uniform: |w| <= sqrt(6 / (fanIn + fanOut)), std = limit / sqrt(3)
        double limit = Math.sqrt(6.0 / (ITEMS + 1 + 64));
        INDArray items = sa.itemEmbeddings().value();
        assertTrue(items.amaxNumber().doubleValue() <= limit);
        assertStd(items, limit / Math.sqrt(3));
        IbimModel dr = new IbimModel(new IbimConfig("comirec-dr", d, 4, 20, ITEMS, 0), DataType.DOUBLE, 3);
        assertStd(dr.params().get("dr.bilinear").value(), 1.0);                          // tf.random_normal_initializer()
    }

    @Test
    void theSchemeChangesTheStartOnlyAndSeedsRepeat() {
        IbimConfig g = new IbimConfig("comirec-sa", 16, 4, 20, ITEMS, "glorot", 0);
        IbimConfig kc = new IbimConfig("comirec-sa", 16, 4, 20, ITEMS, "kaiming", 0);
        Map<String, INDArray> a = new IbimModel(kc, DataType.FLOAT, 5).params().snapshot();
        Map<String, INDArray> b = new IbimModel(kc, DataType.FLOAT, 5).params().snapshot();
        Map<String, INDArray> c = new IbimModel(g, DataType.FLOAT, 5).params().snapshot();
        assertEquals(a.keySet(), c.keySet());
        for (String name : a.keySet()) assertEquals(a.get(name), b.get(name), name);
        assertTrue(!a.get("item_embeddings").equals(c.get("item_embeddings")));
    }

    @Test
    void configsWrittenBeforeTheFieldExistedReadAsGlorot() throws Exception {
        String old = "{\"backbone\":\"comirec-dr\",\"dim\":8,\"interests\":2,\"maxLen\":5,\"numItems\":9,\"initStd\":0.0}";
        IbimConfig c = Json.mapper().readValue(old, IbimConfig.class);
        assertEquals("glorot", c.init());
        IbimConfig k = new IbimConfig("comirec-dr", 8, 2, 5, 9, "KAIMING", 0);
        assertEquals("kaiming", k.init());
        assertEquals(k, Json.mapper().readValue(Json.mapper().writeValueAsString(k), IbimConfig.class));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new IbimConfig("comirec-dr", 8, 2, 5, 9, "he", 0));
        assertTrue(e.getMessage().contains("glorot|kaiming"), e.getMessage());
    }

    private static void assertStd(INDArray w, double expected) {
        double std = w.stdNumber().doubleValue();
        double mean = w.meanNumber().doubleValue();
        assertEquals(expected, std, expected * 0.06, "std of " + w.length() + " weights");
        assertEquals(0, mean, expected * 0.1);
    }
}
