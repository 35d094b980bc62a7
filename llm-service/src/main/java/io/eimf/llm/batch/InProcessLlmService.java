package io.eimf.llm.batch;

import io.eimf.core.cli.EimfException;
import io.eimf.llm.client.LlmServiceClient;
import io.eimf.llm.config.LlmServiceConfig;
import io.eimf.llm.server.LlmServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * An llm-service started inside {@code eimf extract} when no {@code --llm-url} is given: loopback only, an ephemeral
 * port, the metadata provider unless configured otherwise, and its cache next to the output so a rerun hits it.
 * Requests still go through {@link LlmServiceClient} and HTTP, exactly as against a remote service.
 */
final class InProcessLlmService implements AutoCloseable {
    private final LlmServer server;
    private final LlmServiceClient client;

    private InProcessLlmService(LlmServer server, LlmServiceClient client) {
        this.server = server;
        this.client = client;
    }

    /**
     * @param provider provider override (null: the config file's, else metadata)
     * @param configFile llm-service configuration (null: defaults and the EIMF_LLM_* environment)
     * @param cache cache file used when no config file names one
     */
    static InProcessLlmService start(String provider, Path configFile, Path cache, PrintStream err) throws IOException {
        LlmServiceConfig c = LlmServiceConfig.loadOrDefaults(configFile).withEnvironment(System.getenv());
        if (configFile == null) c = c.with("cache", cache.toAbsolutePath().toString());
        if (provider != null) c = c.with("provider", provider);
        c = c.with("host", "127.0.0.1").with("port", "0");
        LlmServer s;
        try {
            s = LlmServer.start(c);
        } catch (RuntimeException e) {
            throw new EimfException("could not start the in-process llm-service: " + e.getMessage(), e);
        }
        LlmServiceClient client = new LlmServiceClient(s.url());
        if (c.token() != null) client.withToken(c.token());
        var h = s.health();
        err.printf("[extract] started llm-service in-process at %s (provider %s, model %s, cache %s)%n", s.url(),
                h.provider(), h.model(), h.cache());
        return new InProcessLlmService(s, client);
    }

    LlmServiceClient client() {
        return client;
    }

    @Override
    public void close() {
        server.close();
    }
}
