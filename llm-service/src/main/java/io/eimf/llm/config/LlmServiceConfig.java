package io.eimf.llm.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.cli.EimfException;
import io.eimf.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every setting of the llm-service, with its default. Read from a JSON file ({@link #load}), then overridden by
 * environment variables ({@link #withEnvironment}), then by command-line options. docs/LLM-SERVICE.md lists them.
 *
 * @param provider {@code metadata} (default: no LLM), {@code openai} (any OpenAI-compatible endpoint), {@code ollama}
 *     or {@code gguf} (in-process llama.cpp)
 * @param baseUrl endpoint of openai/ollama, e.g. {@code https://api.openai.com/v1}, {@code http://127.0.0.1:8000/v1}
 *     (vLLM), {@code http://127.0.0.1:11434} (Ollama)
 * @param model model name for openai/ollama; path of the {@code .gguf} file for gguf
 * @param apiKey API key for openai (sent as a bearer token; never logged, never part of the cache key)
 * @param temperature sampling temperature (0: as deterministic as the backend allows)
 * @param maxTokens most tokens an answer may have
 * @param seed sampling seed passed to backends that take one
 * @param jsonMode ask openai/ollama for JSON output ({@code response_format=json_object}); turn off for servers that
 *     reject it
 * @param timeoutMs per-call timeout of one LLM request
 * @param maxRetries retries of one LLM call on timeouts, 429 and 5xx (exponential backoff with full jitter)
 * @param initialBackoffMs first backoff cap
 * @param maxBackoffMs largest backoff cap
 * @param maxConcurrentCalls most LLM calls in flight at once (a semaphore; excess requests wait)
 * @param cache SQLite file path (default {@code llm-cache.db}) or a JDBC URL ({@code jdbc:postgresql://...})
 * @param cacheUser JDBC user for a JDBC URL
 * @param cachePassword JDBC password for a JDBC URL (never logged)
 * @param memoryCacheEntries answers also kept in memory (LRU) in front of the database
 * @param embeddingModel {@code all-minilm-l6-v2-q} (default), {@code bge-small-en-v1.5-q} or {@code e5-small-v2-q}
 * @param host address to bind (default 127.0.0.1: loopback only)
 * @param port port to bind (0: any free port)
 * @param token bearer token required on /v1/* and /metrics when set (null: no authentication); at least
 *     {@value io.eimf.core.auth.BearerToken#MIN_LENGTH} characters: an empty or short token is refused
 * @param maxRequestBytes largest request body (413 beyond)
 * @param maxItems most items in one interest request (413 beyond)
 * @param maxTextChars longest item or embed text (413 beyond)
 * @param maxBatch most requests in one batch call or texts in one embed call (413 beyond)
 * @param maxInterests largest maxInterests a request may ask for (400 beyond)
 * @param serverThreads HTTP worker threads (each waiting request holds one)
 * @param ggufContext context size of the gguf provider
 * @param ggufThreads CPU threads of the gguf provider (0: all cores)
 * @param ggufGpuLayers layers offloaded to a GPU by the gguf provider (0: CPU only)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LlmServiceConfig(
        String provider, String baseUrl, String model, String apiKey, double temperature, int maxTokens, int seed,
        boolean jsonMode, long timeoutMs, int maxRetries, long initialBackoffMs, long maxBackoffMs,
        int maxConcurrentCalls, String cache, String cacheUser, String cachePassword, int memoryCacheEntries,
        String embeddingModel, String host, int port, String token, long maxRequestBytes, int maxItems,
        int maxTextChars, int maxBatch, int maxInterests, int serverThreads, int ggufContext, int ggufThreads,
        int ggufGpuLayers) {

    /** Environment variables read by {@link #withEnvironment} and the field each sets. */
    public static final Map<String, String> ENVIRONMENT = Map.of(
            "EIMF_LLM_PROVIDER", "provider",
            "EIMF_LLM_BASE_URL", "baseUrl",
            "EIMF_LLM_MODEL", "model",
            "EIMF_LLM_API_KEY", "apiKey",
            "EIMF_LLM_CACHE", "cache",
            "EIMF_LLM_SERVICE_TOKEN", "token",
            "EIMF_LLM_EMBEDDING_MODEL", "embeddingModel");

    public LlmServiceConfig {
        if (!Set.of("metadata", "openai", "ollama", "gguf").contains(provider)) {
            throw new EimfException("config: provider must be metadata, openai, ollama or gguf, got '" + provider + "'");
        }
        require(temperature >= 0 && temperature <= 2, "temperature", "in [0, 2]");
        require(maxTokens >= 16, "maxTokens", ">= 16");
        require(timeoutMs >= 1, "timeoutMs", ">= 1");
        require(maxRetries >= 0, "maxRetries", ">= 0");
        require(initialBackoffMs >= 0 && maxBackoffMs >= initialBackoffMs, "maxBackoffMs", ">= initialBackoffMs >= 0");
        require(maxConcurrentCalls >= 1, "maxConcurrentCalls", ">= 1");
        require(memoryCacheEntries >= 0, "memoryCacheEntries", ">= 0");
        require(port >= 0 && port <= 65535, "port", "in [0, 65535]");
        require(maxRequestBytes >= 1024, "maxRequestBytes", ">= 1024");
        require(maxItems >= 1 && maxTextChars >= 1 && maxBatch >= 1, "maxItems/maxTextChars/maxBatch", ">= 1");
        require(maxInterests >= 1, "maxInterests", ">= 1");
        require(serverThreads >= 8, "serverThreads", ">= 8");
        require(ggufContext >= 128 && ggufThreads >= 0 && ggufGpuLayers >= 0, "gguf settings", "ggufContext >= 128");
        if (cache == null || cache.isBlank()) throw new EimfException("config: cache must be a file path or JDBC URL");
        if (host == null || host.isBlank()) throw new EimfException("config: host must not be empty");
        if (token != null) io.eimf.core.auth.BearerToken.check(token, "config: token");
    }

    private static void require(boolean ok, String field, String rule) {
        if (!ok) throw new EimfException("config: " + field + " must be " + rule);
    }

    /** Every default: the metadata provider, a SQLite cache in the working directory, loopback only. */
    public static LlmServiceConfig defaults() {
        return new LlmServiceConfig("metadata", null, null, null, 0.0, 1024, 42, true, 60_000, 3, 500, 10_000, 8,
                "llm-cache.db", null, null, 20_000, "all-minilm-l6-v2-q", "127.0.0.1", 8088, null, 1 << 20, 500,
                2000, 256, 20, 200, 4096, 0, 0);
    }

    /** The defaults overridden by the fields of a JSON file; an unknown field is an error naming it. */
    public static LlmServiceConfig load(Path file) throws IOException {
        JsonNode node;
        try {
            node = Json.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new EimfException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) throw new EimfException(file + ": expected a JSON object of settings");
        JsonNode base = Json.mapper().valueToTree(defaults());
        Set<String> known = fieldNames();
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) unknown.add(f);
        }
        if (!unknown.isEmpty()) {
            throw new EimfException(file + ": unknown setting(s) " + unknown + "; known: " + known);
        }
        ((com.fasterxml.jackson.databind.node.ObjectNode) base).setAll((com.fasterxml.jackson.databind.node.ObjectNode) node);
        try {
            return Json.mapper().treeToValue(base, LlmServiceConfig.class);
        } catch (IOException | RuntimeException e) {
            throw new EimfException(file + ": " + reason(e), e);
        }
    }

    /** Loads {@code file} if given, else the defaults. */
    public static LlmServiceConfig loadOrDefaults(Path file) throws IOException {
        if (file == null) return defaults();
        if (!Files.isRegularFile(file)) throw new EimfException(file + ": no such config file");
        return load(file);
    }

    /** Applies the {@link #ENVIRONMENT} variables that are set in {@code env}. */
    public LlmServiceConfig withEnvironment(Map<String, String> env) {
        LlmServiceConfig c = this;
        for (Map.Entry<String, String> e : ENVIRONMENT.entrySet()) {
            String v = env.get(e.getKey());
            // A token variable that is set but empty is refused (by the token rule), never read as "no token".
            if (v != null && (!v.isEmpty() || e.getValue().equals("token"))) c = c.with(e.getValue(), v);
        }
        return c;
    }

    /** A copy with one field set from its string form (for env and command-line overrides). */
    public LlmServiceConfig with(String field, String value) {
        if (!fieldNames().contains(field)) throw new IllegalArgumentException("no setting " + field);
        com.fasterxml.jackson.databind.node.ObjectNode n = Json.mapper().valueToTree(this);
        n.put(field, value);
        try {
            return Json.mapper().treeToValue(n, LlmServiceConfig.class);
        } catch (IOException | RuntimeException e) {
            throw new EimfException("setting " + field + "='" + (field.toLowerCase().contains("key")
                    || field.contains("token") || field.contains("assword") ? "***" : value) + "': "
                    + reason(e), e);
        }
    }

    /** The one-line reason of a Jackson failure: our own validation message, else Jackson's first line. */
    private static String reason(Exception e) {
        if (e.getCause() instanceof EimfException own) return own.getMessage();
        String m = e instanceof com.fasterxml.jackson.databind.JsonMappingException j ? j.getOriginalMessage()
                : e.getMessage();
        if (m == null) return e.getClass().getSimpleName();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** The setting names. */
    public static Set<String> fieldNames() {
        Set<String> s = new TreeSet<>();
        for (var c : LlmServiceConfig.class.getRecordComponents()) s.add(c.getName());
        return s;
    }

    /** All settings with the API key, token and cache password masked: safe to log. */
    @Override
    public String toString() {
        com.fasterxml.jackson.databind.node.ObjectNode n = Json.mapper().valueToTree(this);
        for (String secret : new String[] {"apiKey", "token", "cachePassword"}) {
            if (n.hasNonNull(secret)) n.put(secret, "***");
        }
        n.put("cache", cacheDescription());
        return "LlmServiceConfig" + n;
    }

    /** The cache location without credentials, for logs and /healthz. */
    public String cacheDescription() {
        if (!cache.startsWith("jdbc:")) return "sqlite:" + Path.of(cache).toAbsolutePath().normalize();
        int q = cache.indexOf('?');
        return q < 0 ? cache : cache.substring(0, q);
    }
}
