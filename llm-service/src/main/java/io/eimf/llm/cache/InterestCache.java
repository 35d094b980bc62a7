package io.eimf.llm.cache;

import com.fasterxml.jackson.core.type.TypeReference;
import io.eimf.core.cli.EimfException;
import io.eimf.core.json.Json;
import io.eimf.llm.api.Interest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Durable cache of validated answers: a JDBC table (embedded SQLite in WAL mode by default; any JDBC URL, e.g.
 * PostgreSQL for several service instances) behind a bounded in-memory LRU. The SQL is portable: CREATE TABLE IF
 * NOT EXISTS, VARCHAR/TEXT/BIGINT/INTEGER columns, plain SELECT and INSERT; a concurrent insert of the same key by
 * another instance is detected by reading the key back, not by vendor-specific upserts. Thread-safe.
 */
public final class InterestCache implements AutoCloseable {
    /** The table name. */
    public static final String TABLE = "eimf_interest_cache";
    private static final TypeReference<List<Interest>> INTERESTS = new TypeReference<>() {};

    private final String url;
    private final BlockingQueue<Connection> pool;
    private final MemoryLru memory;

    /**
     * @param location a SQLite file path or a JDBC URL
     * @param user JDBC user (null for SQLite)
     * @param password JDBC password (null for SQLite)
     * @param memoryEntries answers also kept in memory (0: none)
     * @param connections JDBC connections kept open
     */
    public InterestCache(String location, String user, String password, int memoryEntries, int connections) {
        this.url = location.startsWith("jdbc:") ? location : sqliteUrl(Path.of(location));
        this.memory = new MemoryLru(memoryEntries);
        this.pool = new ArrayBlockingQueue<>(connections);
        try {
            for (int i = 0; i < connections; i++) pool.add(open(user, password));
            Connection c = pool.take();
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " ("
                        + "cache_key VARCHAR(64) NOT NULL PRIMARY KEY, "
                        + "provider VARCHAR(64) NOT NULL, "
                        + "model VARCHAR(512) NOT NULL, "
                        + "template_version VARCHAR(64), "
                        + "interests TEXT NOT NULL, "
                        + "created_at VARCHAR(40) NOT NULL, "
                        + "latency_ms BIGINT NOT NULL, "
                        + "prompt_tokens BIGINT NOT NULL, "
                        + "completion_tokens BIGINT NOT NULL, "
                        + "attempts INTEGER NOT NULL)");
            } finally {
                pool.add(c);
            }
        } catch (SQLException e) {
            closeAll();
            throw new EimfException("cache " + describe() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EimfException("cache " + describe() + ": interrupted while opening");
        }
    }

    private static String sqliteUrl(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        try {
            if (abs.getParent() != null) Files.createDirectories(abs.getParent());
        } catch (java.io.IOException e) {
            throw new EimfException("cache " + abs + ": cannot create its directory: " + e.getMessage(), e);
        }
        return "jdbc:sqlite:" + abs;
    }

    private Connection open(String user, String password) throws SQLException {
        Connection c;
        try {
            Properties p = new Properties();
            if (user != null) p.setProperty("user", user);
            if (password != null) p.setProperty("password", password);
            c = DriverManager.getConnection(url, p);
        } catch (SQLException e) {
            if ("08001".equals(e.getSQLState()) || e.getMessage() != null && e.getMessage().startsWith("No suitable driver")) {
                throw new SQLException("no JDBC driver for " + describe() + " on the classpath (add the driver jar)", e);
            }
            throw e;
        }
        if (url.startsWith("jdbc:sqlite:")) {
            try (Statement s = c.createStatement()) {
                // WAL: readers never block the writer; busy_timeout: concurrent writers wait instead of failing.
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA busy_timeout=10000");
            }
        }
        return c;
    }

    /** The store without credentials, e.g. {@code sqlite:/data/llm-cache.db}. */
    public String describe() {
        if (url.startsWith("jdbc:sqlite:")) return "sqlite:" + url.substring("jdbc:sqlite:".length());
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    /** The entry for {@code key}: memory first, then the database. */
    public Optional<CacheEntry> get(String key) {
        CacheEntry mem = memory.get(key);
        if (mem != null) return Optional.of(mem);
        CacheEntry e = withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT provider, model, template_version, interests, "
                    + "created_at, latency_ms, prompt_tokens, completion_tokens, attempts FROM " + TABLE
                    + " WHERE cache_key = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return null;
                    return new CacheEntry(key, rs.getString(1), rs.getString(2), rs.getString(3),
                            Json.mapper().readValue(rs.getString(4), INTERESTS), rs.getString(5), rs.getLong(6),
                            rs.getLong(7), rs.getLong(8), rs.getInt(9));
                }
            }
        });
        if (e != null) remember(e);
        return Optional.ofNullable(e);
    }

    /** Stores a validated answer; storing a key that another writer stored first keeps theirs. */
    public void put(CacheEntry e) {
        boolean inserted = withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (cache_key, provider, model, "
                    + "template_version, interests, created_at, latency_ms, prompt_tokens, completion_tokens, "
                    + "attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, e.key());
                ps.setString(2, e.provider());
                ps.setString(3, e.model());
                ps.setString(4, e.templateVersion());
                ps.setString(5, Json.write(e.interests()));
                ps.setString(6, e.createdAt());
                ps.setLong(7, e.latencyMs());
                ps.setLong(8, e.promptTokens());
                ps.setLong(9, e.completionTokens());
                ps.setInt(10, e.attempts());
                ps.executeUpdate();
            } catch (SQLException ex) {
                // Portable "insert if absent": a duplicate-key failure is fine when the key is now there.
                if (!exists(c, e.key())) throw ex;
                return false;
            }
            return true;
        });
        // The memory layer holds what the database holds: the other writer's answer wins, so ours is dropped and the
        // next get reads theirs.
        if (inserted) remember(e);
        else memory.remove(e.key());
    }

    /** Number of entries in the database. */
    public long size() {
        return withConnection(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + TABLE)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** Forgets the in-memory copies (the database keeps them). */
    public void clearMemory() {
        memory.clear();
    }

    private boolean exists(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + TABLE + " WHERE cache_key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private void remember(CacheEntry e) {
        memory.put(e);
    }

    /**
     * The in-memory layer: an access-ordered LRU split into up to 16 stripes by key hash, each behind its own lock.
     * An LRU read moves the entry, so it needs a lock; with a single lock, every hit waits whenever its holder has
     * been descheduled, which happens often with hundreds of request threads on a few cores. Stripes keep at least
     * 64 entries each, so small caches stay one exact LRU.
     */
    private static final class MemoryLru {
        private final LinkedHashMap<String, CacheEntry>[] stripes;

        @SuppressWarnings("unchecked")
        MemoryLru(int entries) {
            int n = entries == 0 ? 0 : Integer.highestOneBit(Math.max(1, Math.min(16, entries / 64)));
            stripes = new LinkedHashMap[n];
            for (int i = 0; i < n; i++) {
                int cap = entries / n + (i < entries % n ? 1 : 0);
                stripes[i] = new LinkedHashMap<>(Math.min(cap, 1 << 16), 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, CacheEntry> e) {
                        return size() > cap;
                    }
                };
            }
        }

        private LinkedHashMap<String, CacheEntry> stripe(String key) {
            int h = key.hashCode();
            return stripes[(h ^ (h >>> 16)) & (stripes.length - 1)];
        }

        CacheEntry get(String key) {
            if (stripes.length == 0) return null;
            LinkedHashMap<String, CacheEntry> s = stripe(key);
            synchronized (s) {
                return s.get(key);
            }
        }

        void put(CacheEntry e) {
            if (stripes.length == 0) return;
            LinkedHashMap<String, CacheEntry> s = stripe(e.key());
            synchronized (s) {
                s.put(e.key(), e);
            }
        }

        void remove(String key) {
            if (stripes.length == 0) return;
            LinkedHashMap<String, CacheEntry> s = stripe(key);
            synchronized (s) {
                s.remove(key);
            }
        }

        void clear() {
            for (LinkedHashMap<String, CacheEntry> s : stripes) {
                synchronized (s) {
                    s.clear();
                }
            }
        }
    }

    private interface Work<T> {
        T run(Connection c) throws Exception;
    }

    private <T> T withConnection(Work<T> w) {
        Connection c;
        try {
            c = pool.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EimfException("cache " + describe() + ": interrupted");
        }
        try {
            return w.run(c);
        } catch (Exception e) {
            throw new EimfException("cache " + describe() + ": " + e.getMessage(), e);
        } finally {
            pool.add(c);
        }
    }

    private void closeAll() {
        Connection c;
        while ((c = pool.poll()) != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // Closing on shutdown: nothing to recover.
            }
        }
    }

    @Override
    public void close() {
        closeAll();
    }
}
