package io.eimf.llm.batch;

import io.eimf.core.auth.BearerToken;
import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.EimfException;
import io.eimf.core.cli.UsageException;
import io.eimf.core.semantic.ExtractionFailure;
import io.eimf.core.semantic.SemanticManifest;
import io.eimf.llm.client.LlmServiceClient;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code eimf extract}: asks llm-service for the semantic interests of the typical samples of a clusters directory
 * and writes the semantic-interest dataset; resumable, bounded concurrency, failures listed.
 */
public final class ExtractCommand implements Command {
    public static final int DEFAULT_CONCURRENCY = 4;
    public static final int DEFAULT_BATCH_SIZE = 1;
    public static final int DEFAULT_RETRIES = 2;
    public static final int DEFAULT_MAX_PROMPT_ITEMS = 50;
    public static final int DEFAULT_MIN_INTERESTS = 2;
    public static final int DEFAULT_MAX_INTERESTS = 4;

    @Override
    public String name() {
        return "extract";
    }

    @Override
    public String summary() {
        return "ask llm-service for the interests of the typical samples (resumable) and embed them";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.option("clusters", "DIR", "clusters directory written by eimf cluster"))
                .addOption(Args.option("data", "DIR", "the prepared dataset the clusters were made from"))
                .addOption(Args.option("out", "DIR", "semantic-interest directory to write (atomically)"))
                .addOption(Args.option("llm-url", "URL",
                        "a running llm-service, e.g. http://127.0.0.1:8088 (default: start one in-process)"))
                .addOption(Args.option("token", "T",
                        "bearer token of the llm-service (default: $EIMF_LLM_SERVICE_TOKEN)"))
                .addOption(Args.option("token-file", "FILE", "read the llm-service's bearer token from FILE"))
                .addOption(Args.option("provider", "NAME",
                        "in-process llm-service provider: metadata (default), openai, ollama or gguf"))
                .addOption(Args.option("llm-config", "FILE",
                        "in-process llm-service configuration file (JSON, llm-service's fields)"))
                .addOption(opt("concurrency", "most requests in flight", DEFAULT_CONCURRENCY))
                .addOption(opt("batch-size", "typical samples per llm-service request (more than 1: the batch endpoint)",
                        DEFAULT_BATCH_SIZE))
                .addOption(opt("retries", "extra attempts for a sample whose extraction failed", DEFAULT_RETRIES))
                .addOption(opt("max-prompt-items", "most prompt-visible items per prompt (the most recent)",
                        DEFAULT_MAX_PROMPT_ITEMS))
                .addOption(opt("min-interests", "least interests asked for", DEFAULT_MIN_INTERESTS))
                .addOption(opt("max-interests", "most interests asked for", DEFAULT_MAX_INTERESTS))
                .addOption(Args.option("journal", "FILE",
                        "progress journal (default: <out>.journal.jsonl); a rerun resumes from it"))
                .addOption(Option.builder().longOpt("overwrite").desc("replace an existing output directory").get());
    }

    private static Option opt(String name, String desc, Object def) {
        return Args.option(name, desc + " (default " + def + ")");
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        BatchExtraction.Options o;
        try {
            o = new BatchExtraction.Options(ctx.path(Args.required(cl, "clusters")), ctx.path(Args.required(cl, "data")),
                    ctx.path(Args.required(cl, "out")),
                    cl.hasOption("journal") ? ctx.path(cl.getOptionValue("journal")) : null,
                    Args.intValue(cl, "concurrency", DEFAULT_CONCURRENCY), Args.intValue(cl, "batch-size", DEFAULT_BATCH_SIZE),
                    Args.intValue(cl, "retries", DEFAULT_RETRIES),
                    Args.intValue(cl, "max-prompt-items", DEFAULT_MAX_PROMPT_ITEMS),
                    Args.intValue(cl, "min-interests", DEFAULT_MIN_INTERESTS),
                    Args.intValue(cl, "max-interests", DEFAULT_MAX_INTERESTS), cl.hasOption("overwrite"));
        } catch (EimfException e) {
            throw new UsageException(e.getMessage());
        }
        String url = cl.getOptionValue("llm-url");
        if (url != null && (cl.hasOption("provider") || cl.hasOption("llm-config"))) {
            throw new UsageException("--provider and --llm-config configure an in-process llm-service; with "
                    + "--llm-url the running service's configuration applies");
        }
        BatchExtraction.Outcome r;
        if (url != null) {
            LlmServiceClient client = new LlmServiceClient(url);
            String tokenFile = cl.getOptionValue("token-file");
            BearerToken.resolve(cl.getOptionValue("token"), tokenFile == null ? null : ctx.path(tokenFile),
                    "EIMF_LLM_SERVICE_TOKEN", System.getenv()).ifPresent(t -> client.withToken(t.value()));
            r = new BatchExtraction(o, client, ctx.err()).run();
        } else {
            Path cache = o.out().resolveSibling(o.out().getFileName() + ".llm-cache.db");
            try (InProcessLlmService svc = InProcessLlmService.start(cl.getOptionValue("provider"),
                    cl.hasOption("llm-config") ? ctx.path(cl.getOptionValue("llm-config")) : null, cache, ctx.err())) {
                r = new BatchExtraction(o, svc.client(), ctx.err()).run();
            }
        }
        print(r, ctx);
        return r.manifest().succeeded() == 0 && r.manifest().budget() > 0 ? 1 : 0;
    }

    static void print(BatchExtraction.Outcome r, CommandContext ctx) {
        SemanticManifest m = r.manifest();
        var out = ctx.out();
        out.printf(Locale.ROOT, "wrote %s (content %s)%n", r.out(), m.contentHash().substring(0, 12));
        out.printf(Locale.ROOT, "protocol: llm-service provider %s, model %s, template %s; interests embedded with %s "
                        + "(%d-d); prompts: up to %d most recent prompt-visible items (%s)%n", m.provider(), m.model(),
                m.templateVersion() == null ? "-" : m.templateVersion(), m.embeddingModel(), m.embeddingDimension(),
                m.maxPromptItems(), m.promptCutoff());
        SemanticManifest.RunTotals t = m.totals();
        out.println("| budget (samples) | succeeded | failed | LLM calls | cache hits | retries | resumed | "
                + "prompt tokens | completion tokens | wall s |");
        out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        out.printf(Locale.ROOT, "| %d | %d | %d | %d | %d | %d | %d | %d | %d | %.1f |%n", m.budget(), m.succeeded(),
                m.failed(), t.llmCalls(), t.cacheHits(), t.retries(), t.resumed(), t.promptTokens(),
                t.completionTokens(), t.wallSeconds());
        for (ExtractionFailure f : r.failures()) {
            ctx.err().printf("[extract] failed: user %s (cluster %d, %d attempts): %s%n", f.rawUser(), f.cluster(),
                    f.attempts(), f.reason());
        }
        if (r.journalKept() != null) {
            ctx.err().printf("[extract] %d samples failed; kept %s: rerun with --overwrite to retry only them%n",
                    r.failures().size(), r.journalKept());
        }
    }
}
