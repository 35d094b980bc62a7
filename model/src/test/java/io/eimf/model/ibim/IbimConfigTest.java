package io.eimf.model.ibim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.json.Json;
import io.eimf.model.backbone.Backbones;
import io.eimf.model.backbone.HistoryAlignment;
import org.junit.jupiter.api.Test;

/** config.json compatibility and the per-backbone defaults (alignment, patience). */
class IbimConfigTest {
    @Test
    void configsWrittenBeforeTheAlignmentExistedReadAsLeft() throws Exception {
        String old = "{\"backbone\":\"comirec-sa\",\"dim\":8,\"interests\":2,\"maxLen\":5,\"numItems\":9,"
                + "\"init\":\"glorot\",\"initStd\":0.0}";
        IbimConfig c = Json.mapper().readValue(old, IbimConfig.class);
        assertEquals(HistoryAlignment.LEFT, c.alignment());
        IbimConfig r = new IbimConfig("comirec-sa", 8, 2, 5, 9, "glorot", 0, "RIGHT");
        assertEquals("right", r.align());
        String json = Json.mapper().writeValueAsString(r);
        assertTrue(json.contains("\"align\":\"right\""), json);
        assertEquals(r, Json.mapper().readValue(json, IbimConfig.class));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new IbimConfig("comirec-sa", 8, 2, 5, 9, "glorot", 0, "middle"));
        assertTrue(e.getMessage().contains("left|right"), e.getMessage());
    }

    @Test
    void eachBackboneGetsTheDefaultsThatValidatedBetter() {
        assertEquals(HistoryAlignment.RIGHT, IbimConfig.defaults("comirec-sa", 10).alignment());
        assertEquals(HistoryAlignment.LEFT, IbimConfig.defaults("comirec-dr", 10).alignment());
        assertEquals(HistoryAlignment.LEFT, IbimConfig.defaults("mind", 10).alignment());
        assertEquals(20, Backbones.defaults("comirec-dr").patience());
        assertEquals(5, Backbones.defaults("comirec-sa").patience());
        assertEquals(5, Backbones.defaults("mind").patience());
    }
}
