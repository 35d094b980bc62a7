package io.eimf.llm.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.llm.api.Interest;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterestCacheTest {
    @TempDir
    Path tmp;

    static CacheEntry entry(String key, String name) {
        return new CacheEntry(key, "openai", "m", "interests-v1", List.of(new Interest(name, "d.", List.of("1"))),
                "2026-11-27T00:00:00Z", 123, 10, 5, 2);
    }

    @Test
    void storesInWalModeAndSurvivesReopeningWithoutTheMemoryLayer() throws Exception {
        Path db = tmp.resolve("sub/cache.db");
        try (InterestCache c = new InterestCache(db.toString(), null, null, 10, 2)) {
            c.put(entry("k1", "Space"));
            c.put(entry("k1", "Other")); // a second writer of the same key keeps the first answer
            assertEquals(1, c.size());
            assertEquals("sqlite:" + db.toAbsolutePath(), c.describe());
        }
        try (var conn = DriverManager.getConnection("jdbc:sqlite:" + db);
             ResultSet rs = conn.createStatement().executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertEquals("wal", rs.getString(1));
        }
        try (InterestCache c = new InterestCache(db.toString(), null, null, 0, 1)) {
            CacheEntry e = c.get("k1").orElseThrow();
            assertEquals(entry("k1", "Space"), e);
            assertTrue(c.get("k2").isEmpty());
        }
    }

    @Test
    void memoryLayerIsBoundedAndTheDatabaseStillAnswers() {
        try (InterestCache c = new InterestCache(tmp.resolve("c.db").toString(), null, null, 2, 1)) {
            for (int i = 0; i < 5; i++) c.put(entry("k" + i, "n" + i));
            c.clearMemory();
            for (int i = 0; i < 5; i++) assertEquals("n" + i, c.get("k" + i).orElseThrow().interests().get(0).name());
        }
    }

    @Test
    void aJdbcUrlWithoutADriverFailsNamingTheStore() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.eimf.core.cli.EimfException.class,
                () -> new InterestCache("jdbc:nosuchdb://host/db?password=x", "u", "p", 0, 1));
        assertTrue(e.getMessage().contains("jdbc:nosuchdb://host/db") && !e.getMessage().contains("password=x"),
                e.getMessage());
    }
}
