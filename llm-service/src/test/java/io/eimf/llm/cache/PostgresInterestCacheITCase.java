package io.eimf.llm.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.cli.EimfException;
import io.eimf.core.testing.RealSystems;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cache contract on a real PostgreSQL server (the shared store for several llm-service instances): each test
 * gets its own schema through the JDBC URL's {@code currentSchema}, so the SQL the service runs is exactly what it
 * runs on a plain database. Server: {@code .ci/services/10-postgres.sh} ({@code EIMF_PG_JDBC_URL}, user, password).
 */
class PostgresInterestCacheITCase extends InterestCacheContract {
    private String baseUrl;
    private String user;
    private String password;
    private String schema;

    @BeforeEach
    void freshSchema() throws Exception {
        String what = "PostgreSQL for the llm cache: source .ci/lib.sh; source .ci/services/10-postgres.sh";
        baseUrl = RealSystems.env("EIMF_PG_JDBC_URL", what);
        user = RealSystems.env("EIMF_PG_USER", what);
        password = RealSystems.env("EIMF_PG_PASSWORD", what);
        schema = "cache_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(baseUrl, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
    }

    @AfterEach
    void dropSchema() throws Exception {
        if (schema == null) return;
        try (Connection c = DriverManager.getConnection(baseUrl, user, password); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    @Override
    protected String location() {
        return baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    @Override
    protected String user() {
        return user;
    }

    @Override
    protected String password() {
        return password;
    }

    @Test
    void theTableLivesInPostgresAndTheDescriptionHidesTheQueryString() throws Exception {
        try (InterestCache c = open(10, 2)) {
            c.put(entry("k1", "Space"));
            assertEquals(baseUrl, c.describe());
        }
        try (Connection c = DriverManager.getConnection(baseUrl, user, password); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT interests FROM " + schema + "." + InterestCache.TABLE
                     + " WHERE cache_key = 'k1'")) {
            assertTrue(rs.next());
            assertTrue(rs.getString(1).contains("\"Space\""), rs.getString(1));
        }
    }

    @Test
    void aWrongPasswordFailsNamingTheStoreButNotThePassword() {
        EimfException e = assertThrows(EimfException.class,
                () -> new InterestCache(location(), user, "wrong-" + password, 0, 1));
        assertTrue(e.getMessage().startsWith("cache " + baseUrl) && !e.getMessage().contains("wrong-"), e.getMessage());
    }
}
