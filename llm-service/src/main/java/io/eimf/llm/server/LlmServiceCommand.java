package io.eimf.llm.server;

import io.eimf.core.auth.BearerToken;
import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.llm.config.LlmServiceConfig;
import java.util.concurrent.CountDownLatch;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code eimf llm-service}: runs the interest-extraction service until interrupted. */
public final class LlmServiceCommand implements Command {
    @Override
    public String name() {
        return "llm-service";
    }

    @Override
    public String summary() {
        return "serve interest extraction (LLM or metadata), embeddings and a durable answer cache over HTTP";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.option("port", "P", "port to listen on (default 8088; 0: any free port)"))
                .addOption(Args.option("host", "ADDR", "address to bind (default 127.0.0.1; 0.0.0.0 exposes it)"))
                .addOption(Args.option("config", "FILE", "JSON settings file (see docs/LLM-SERVICE.md)"))
                .addOption(Args.option("token", "T", "require Authorization: Bearer T, at least "
                        + BearerToken.MIN_LENGTH + " characters (prefer --token-file or env EIMF_LLM_SERVICE_TOKEN: "
                        + "command lines are visible to other users)"))
                .addOption(Args.option("token-file", "FILE", "read the bearer token from FILE (surrounding "
                        + "whitespace dropped)"))
                .addOption(Args.option("provider", "NAME", "metadata|openai|ollama|gguf (default metadata)"))
                .addOption(Args.option("base-url", "URL", "OpenAI-compatible or Ollama endpoint"))
                .addOption(Args.option("model", "NAME", "model name, or the .gguf path for --provider gguf"))
                .addOption(Args.option("cache", "PATH|JDBC", "SQLite file or JDBC URL of the answer cache"))
                .addOption(Args.option("embedding-model", "NAME", "all-minilm-l6-v2-q|bge-small-en-v1.5-q|e5-small-v2-q"));
    }

    /** Settings from file, then environment, then options (later wins). */
    static LlmServiceConfig config(CommandLine cl, CommandContext ctx) throws Exception {
        String file = cl.getOptionValue("config");
        LlmServiceConfig c = LlmServiceConfig.loadOrDefaults(file == null ? null : ctx.path(file))
                .withEnvironment(System.getenv());
        String[][] map = {{"port", "port"}, {"host", "host"}, {"provider", "provider"},
            {"base-url", "baseUrl"}, {"model", "model"}, {"cache", "cache"}, {"embedding-model", "embeddingModel"}};
        for (String[] m : map) {
            String v = cl.getOptionValue(m[0]);
            if (v == null) continue;
            try {
                c = c.with(m[1], v);
            } catch (io.eimf.core.cli.EimfException e) {
                throw new io.eimf.core.cli.UsageException("--" + m[0] + ": " + e.getMessage());
            }
        }
        // The token options go through the one token rule (BearerToken) like eimf serve's; they beat the file and env.
        String tokenFile = cl.getOptionValue("token-file");
        var token = BearerToken.resolve(cl.getOptionValue("token"), tokenFile == null ? null : ctx.path(tokenFile),
                null, java.util.Map.of());
        if (token.isPresent()) c = c.with("token", token.get().value());
        if (!c.cache().startsWith("jdbc:")) c = c.with("cache", ctx.path(c.cache()).toString());
        return c;
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        LlmServiceConfig c = config(cl, ctx);
        io.eimf.llm.embed.EmbeddingModelName.parse(c.embeddingModel()); // fail now, not on the first /v1/embed
        LlmServer server = LlmServer.start(c);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "llm-service-shutdown"));
        var h = server.health();
        ctx.out().printf("llm-service listening on %s (provider %s, model %s, template %s, cache %s, "
                        + "embeddings %s, auth %s)%n", server.url(), h.provider(), h.model(),
                h.templateVersion() == null ? "none" : h.templateVersion(), h.cache(), h.embeddingModel(),
                c.token() == null ? "off" : "bearer token");
        if (c.token() == null && !BearerToken.isLoopback(c.host())) {
            ctx.err().println("warning: listening on " + c.host() + " without a token: anyone who can reach it "
                    + "can spend your LLM budget (set EIMF_LLM_SERVICE_TOKEN or --token-file)");
        }
        ctx.out().flush();
        stopped.await();
        return 0;
    }
}
