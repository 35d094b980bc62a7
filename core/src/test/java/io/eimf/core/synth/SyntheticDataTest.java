package io.eimf.core.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyntheticDataTest {
    @Test
    void sameSeedSameData() {
        var c = SyntheticData.Config.defaults().withUsers(50);
        assertEquals(SyntheticData.generate(c).interactions(), SyntheticData.generate(c).interactions());
        assertNotEquals(SyntheticData.generate(c).interactions(),
                SyntheticData.generate(c.withSeed(7)).interactions());
    }

    @Test
    void usersMostlyStayInTheirPlantedCategories() {
        var c = SyntheticData.Config.defaults().withUsers(100).withNoise(0.1);
        var g = SyntheticData.generate(c);
        Map<Integer, String> cat = new HashMap<>();
        g.items().forEach(i -> cat.put(i.id(), i.category()));
        long inPlanted = 0;
        for (var x : g.interactions()) {
            List<String> planted = g.plantedInterests().get(x.user());
            if (planted.contains(cat.get(x.item()))) inPlanted++;
        }
        double share = (double) inPlanted / g.interactions().size();
        assertTrue(share > 0.88 && share < 0.97, "share in planted interests: " + share);
        for (var e : g.plantedInterests().entrySet()) {
            assertTrue(e.getValue().size() >= c.minInterests() && e.getValue().size() <= c.maxInterests());
        }
    }

    @Test
    void titlesNameTheirCategory() {
        var g = SyntheticData.generate(SyntheticData.Config.defaults().withUsers(1));
        g.items().forEach(i -> assertTrue(i.title().startsWith(i.category()), i.title()));
    }
}
