package io.eimf.llm.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache contract on embedded SQLite (the default store), plus what is SQLite-specific: WAL mode, the path. */
class InterestCacheTest extends InterestCacheContract {
    @TempDir
    Path tmp;

    @Override
    protected String location() {
        return tmp.resolve("sub/cache.db").toString();
    }

    @Test
    void storesInWalModeUnderTheGivenPath() throws Exception {
        Path db = tmp.resolve("sub/cache.db");
        try (InterestCache c = open(10, 2)) {
            c.put(entry("k1", "Space"));
            assertEquals("sqlite:" + db.toAbsolutePath(), c.describe());
        }
        try (var conn = DriverManager.getConnection("jdbc:sqlite:" + db);
             ResultSet rs = conn.createStatement().executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertEquals("wal", rs.getString(1));
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
