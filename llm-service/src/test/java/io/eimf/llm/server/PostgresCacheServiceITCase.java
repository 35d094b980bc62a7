package io.eimf.llm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.testing.RealSystems;
import io.eimf.llm.api.InterestResponse;
import io.eimf.llm.cache.InterestCache;
import io.eimf.llm.config.LlmServiceConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Two llm-service instances sharing one cache database on a real PostgreSQL server, configured as a deployment
 * would ({@code cache} a JDBC URL, {@code cacheUser}/{@code cachePassword}): an answer one instance paid for is a
 * cache hit on the other, and the row is in Postgres. Server: {@code .ci/services/10-postgres.sh}.
 */
class PostgresCacheServiceITCase {
    @Test
    void anAnswerPaidForByOneInstanceIsAHitOnTheOther() throws Exception {
        String what = "PostgreSQL for the llm cache: source .ci/lib.sh; source .ci/services/10-postgres.sh";
        String url = RealSystems.env("EIMF_PG_JDBC_URL", what);
        String user = RealSystems.env("EIMF_PG_USER", what);
        String password = RealSystems.env("EIMF_PG_PASSWORD", what);
        String schema = "svc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        try (FakeOpenAi fake = new FakeOpenAi()) {
            LlmServiceConfig config = LlmServiceConfig.defaults().with("provider", "openai")
                    .with("baseUrl", fake.baseUrl()).with("model", "fake-model").with("apiKey", "sk-test")
                    .with("port", "0").with("cache", url + "?currentSchema=" + schema).with("cacheUser", user)
                    .with("cachePassword", password).with("timeoutMs", "2000");
            try (LlmServer a = LlmServer.start(config); LlmServer b = LlmServer.start(config)) {
                InterestResponse paid = LlmServerITCase.client(a).interests(LlmServerITCase.SPACE_JAZZ);
                assertTrue(paid.ok(), paid.error());
                assertFalse(paid.cached());
                InterestResponse hit = LlmServerITCase.client(b).interests(LlmServerITCase.SPACE_JAZZ);
                assertTrue(hit.cached(), "the second instance reads the first one's answer from Postgres");
                assertEquals(paid.interests(), hit.interests());
                assertEquals(1, fake.calls.get(), "one LLM call for two instances");
                assertEquals(url, LlmServerITCase.client(b).health().cache(), "healthz names the store, no query string");
            }
            try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COUNT(*), MIN(model) FROM " + schema + "." + InterestCache.TABLE)) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1), "one row in Postgres");
                assertEquals("fake-model", rs.getString(2));
            }
        } finally {
            try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }
}
