package io.eimf.serve;

import io.eimf.core.auth.BearerToken;
import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.mlflow.cli.Backends;
import io.eimf.mlflow.model.ModelResolver;
import io.eimf.mlflow.model.ModelUri;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code eimf serve}: serves a registered or exported model over HTTP, swapping in newly promoted versions. */
public final class ServeCommand implements Command {
    /** Environment variable holding the bearer token when neither --token nor --token-file is given. */
    public static final String TOKEN_ENV = "EIMF_SERVE_TOKEN";

    @Override
    public String name() {
        return "serve";
    }

    @Override
    public String summary() {
        return "serve recommendations over HTTP from models:/NAME@ALIAS (follows promotions) or an exported model folder";
    }

    @Override
    public Options options() {
        Options o = new Options()
                .addOption(Args.requiredOption("model", "URI|DIR",
                        "models:/NAME@champion, models:/NAME/VERSION or an exported model folder"))
                .addOption(Args.option("retrieval", "exact|ann", "ann (default): through the model folder's HNSW "
                        + "index (eimf index build) with exact re-ranking, exact when it has none; exact: score every item"))
                .addOption(Args.option("port", "P", "port (default 8000; 0: any free port)"))
                .addOption(Args.option("host", "ADDR",
                        "address to bind (default 127.0.0.1; 0.0.0.0 exposes it to the network)"))
                .addOption(Args.option("poll-seconds", "S",
                        "how often to check the alias or folder for a new model (default 30; 0: never)"))
                .addOption(Args.option("cache", "DIR",
                        "where registry models are downloaded (default $EIMF_MODEL_CACHE or ~/.cache/eimf/models)"))
                .addOption(Args.option("max-history", "N",
                        "most history items per request (default " + RecommendService.DEFAULT_MAX_HISTORY + ")"))
                .addOption(Args.option("threads", "N",
                        "BLAS threads per request (default 1: requests already run in parallel)"))
                .addOption(Args.option("max-n", "N",
                        "largest n per request (default " + RecommendService.DEFAULT_MAX_N + ")"))
                .addOption(Args.option("token", "T", "require Authorization: Bearer T on /v1/recommend and /metrics, at "
                        + "least " + BearerToken.MIN_LENGTH + " characters (prefer --token-file or env " + TOKEN_ENV
                        + ": command lines are visible to other users)"))
                .addOption(Args.option("token-file", "FILE", "read the bearer token from FILE"))
                .addOption(Args.option("workers", "N",
                        "requests computed at once (default: the number of cores)"))
                .addOption(Args.option("queue", "N", "requests that may wait for a worker; beyond, 503 with "
                        + "Retry-After (default " + RecommendServer.DEFAULT_QUEUE + ")"))
                .addOption(Args.option("deadline-ms", "MS", "longest time from arrival to answer: 503 if still "
                        + "queued, 504 if still computing (default " + RecommendServer.DEFAULT_DEADLINE.toMillis() + ")"));
        return Backends.add(o);
    }

    /**
     * One BLAS thread per request, and a warning when OpenMP may still spin several threads per op: on a busy
     * machine that costs 10x in latency (measured: 2 ms vs 20-35 ms per ComiRec-SA history at 10k items).
     */
    static void configureThreads(int threads, CommandContext ctx) {
        io.eimf.model.nn.Backend.setThreads(threads);
        String omp = System.getenv("OMP_NUM_THREADS");
        if (omp == null || omp.isBlank()) {
            ctx.err().println("warning: OMP_NUM_THREADS is not set; set OMP_NUM_THREADS=1 before starting for low "
                    + "latency (ND4J's OpenMP threads spin on small ops when the machine is busy)");
        }
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        String model = Args.required(cl, "model");
        ModelSource source;
        RecommenderModel.Retrieval retrieval = RecommenderModel.Retrieval.parse(cl.getOptionValue("retrieval", "ann"));
        if (ModelUri.isModelUri(model)) {
            ModelResolver resolver = new ModelResolver(Backends.registry(cl, ctx),
                    cl.hasOption("cache") ? ctx.path(cl.getOptionValue("cache")) : ModelResolver.defaultCache(), ctx.err());
            source = new RegistrySource(model, Backends.registry(cl, ctx), resolver, retrieval);
        } else {
            source = new FolderSource(ctx.path(model), retrieval);
        }
        String tokenFile = cl.getOptionValue("token-file");
        BearerToken token = BearerToken.resolve(cl.getOptionValue("token"),
                tokenFile == null ? null : ctx.path(tokenFile), TOKEN_ENV, System.getenv()).orElse(null);
        int workers = Args.intValue(cl, "workers", Runtime.getRuntime().availableProcessors());
        int queue = Args.intValue(cl, "queue", RecommendServer.DEFAULT_QUEUE);
        long deadlineMs = Args.longValue(cl, "deadline-ms", RecommendServer.DEFAULT_DEADLINE.toMillis());
        if (workers < 1) throw new io.eimf.core.cli.UsageException("--workers must be >= 1");
        if (queue < 0) throw new io.eimf.core.cli.UsageException("--queue must be >= 0");
        if (deadlineMs < 1) throw new io.eimf.core.cli.UsageException("--deadline-ms must be >= 1");
        configureThreads(Args.intValue(cl, "threads", 1), ctx);
        int port = Args.intValue(cl, "port", 8000);
        if (port < 0 || port > 65535) throw new io.eimf.core.cli.UsageException("--port must be in 0..65535");
        RecommendServer server = new RecommendServer(source)
                .host(cl.getOptionValue("host", "127.0.0.1"))
                .port(port)
                .poll(Duration.ofSeconds(Math.max(0, Args.intValue(cl, "poll-seconds", 30))))
                .limits(Args.intValue(cl, "max-history", RecommendService.DEFAULT_MAX_HISTORY),
                        Args.intValue(cl, "max-n", RecommendService.DEFAULT_MAX_N))
                .token(token)
                .admission(workers, queue, Duration.ofMillis(deadlineMs))
                .log(ctx.err())
                .start();
        String host = cl.getOptionValue("host", "127.0.0.1");
        if (token == null && !BearerToken.isLoopback(host)) {
            ctx.err().println("warning: listening on " + host + " without a token: anyone who can reach it can query "
                    + "the model (set " + TOKEN_ENV + " or --token-file)");
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stop.countDown();
        }, "eimf-serve-shutdown"));
        ctx.out().println("serving " + source.describe() + " on http://" + cl.getOptionValue("host", "127.0.0.1") + ":"
                + server.port() + "  (POST /v1/recommend, GET /healthz /readyz /metrics)");
        ctx.out().flush();
        stop.await();
        return 0;
    }
}
