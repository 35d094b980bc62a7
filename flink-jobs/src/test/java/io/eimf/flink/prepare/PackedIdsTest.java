package io.eimf.flink.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PackedIdsTest {
    @Test
    void packsShortAlphanumericIdsOneToOneAndLeavesTheRest() {
        assertEquals(PackedIds.NONE, PackedIds.pack(""));
        assertEquals(PackedIds.NONE, PackedIds.pack("12345678901"));
        assertEquals(PackedIds.NONE, PackedIds.pack("a-b"));
        assertEquals(PackedIds.NONE, PackedIds.pack("caf\u00e9"));
        assertNotEquals(PackedIds.pack("7"), PackedIds.pack("07"));
        assertNotEquals(PackedIds.pack("zzzzzzzzzz"), PackedIds.NONE);
        Map<Long, String> seen = new HashMap<>();
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        Random rnd = new Random(1);
        for (int i = 0; i < 200_000; i++) {
            int n = 1 + rnd.nextInt(i % 2 == 0 ? 3 : 10);
            StringBuilder b = new StringBuilder();
            for (int k = 0; k < n; k++) b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            String id = b.toString();
            long key = PackedIds.pack(id);
            assertNotEquals(PackedIds.NONE, key, id);
            String before = seen.put(key, id);
            if (before != null) assertEquals(before, id, "two ids share a key");
        }
    }

    @Test
    void longIntMapFindsWhatWasPutThroughGrowth() {
        LongIntMap m = new LongIntMap(4);
        for (int i = 0; i < 100_000; i++) m.put(PackedIds.pack(Integer.toString(i)), i);
        m.put(PackedIds.pack("5"), 55);
        assertEquals(100_000, m.size());
        for (int i = 0; i < 100_000; i++) assertEquals(i == 5 ? 55 : i, m.get(PackedIds.pack(Integer.toString(i))));
        assertEquals(-1, m.get(PackedIds.pack("x")));
    }
}
