package io.eimf.mlflow.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.cli.UsageException;
import io.eimf.mlflow.model.ModelUri;
import io.eimf.mlflow.tracking.MlflowNames;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromotionGateTest {
    private static ModelVersionInfo version(Map<String, String> tags) {
        return new ModelVersionInfo("m", "3", "file:/x", "run1", "None", "READY", 0, tags, List.of());
    }

    @Test
    void parsesAndMapsMetricNames() {
        PromotionGate g = PromotionGate.parse("test.recall@50>=0.08");
        assertEquals("test.recall_at_50", g.key());
        assertEquals(">=", g.op());
        assertEquals(0.08, g.threshold());
        assertEquals("<", PromotionGate.parse(" loss < 1e-3 ").op());
        assertThrows(UsageException.class, () -> PromotionGate.parse("recall@50 is good"));
        assertThrows(UsageException.class, () -> PromotionGate.parse(">=0.1"));
    }

    @Test
    void versionTagWinsOverRunMetric() {
        PromotionGate g = PromotionGate.parse("test.recall@50>=0.08");
        PromotionGate.Outcome ok = g.check(version(Map.of("metric.test.recall_at_50", "0.09")), Map.of("test.recall_at_50", 0.01));
        assertTrue(ok.passed(), ok.message());
        assertTrue(ok.message().contains("version tag"), ok.message());
        PromotionGate.Outcome fromRun = g.check(version(Map.of()), Map.of("test.recall_at_50", 0.07));
        assertFalse(fromRun.passed());
        assertTrue(fromRun.message().contains("0.07") && fromRun.message().contains("run run1"), fromRun.message());
        PromotionGate.Outcome none = g.check(version(Map.of()), Map.of());
        assertFalse(none.passed());
        assertTrue(none.message().contains("has no metric 'test.recall_at_50'"), none.message());
    }

    @Test
    void comparisonsAreExact() {
        ModelVersionInfo v = version(Map.of("metric.x", "0.08"));
        assertTrue(PromotionGate.parse("x>=0.08").check(v, Map.of()).passed());
        assertFalse(PromotionGate.parse("x>0.08").check(v, Map.of()).passed());
        assertTrue(PromotionGate.parse("x<=0.08").check(v, Map.of()).passed());
        assertTrue(PromotionGate.parse("x==0.08").check(v, Map.of()).passed());
    }

    @Test
    void modelUris() {
        assertEquals(new ModelUri("eimf-ibim", null, "champion"), ModelUri.parse("models:/eimf-ibim@champion"));
        assertEquals(new ModelUri("eimf-ibim", "12", null), ModelUri.parse("models:/eimf-ibim/12"));
        assertThrows(UsageException.class, () -> ModelUri.parse("models:/eimf-ibim"));
        assertThrows(UsageException.class, () -> ModelUri.parse("models:/eimf-ibim/latest"));
        assertThrows(UsageException.class, () -> ModelUri.parse("runs:/abc/model"));
    }

    @Test
    void mlflowKeys() {
        assertEquals("test.recall_at_50", MlflowNames.key("test.recall@50"));
        assertEquals("a_b", MlflowNames.key("a,b"));
        MlflowNames.checkKey("metric", "test.ndcg_at_20");
        assertThrows(RuntimeException.class, () -> MlflowNames.checkKey("metric", "../x"));
    }
}
