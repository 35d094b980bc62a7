package io.eimf.serve;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.auth.BearerToken;
import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.EimfException;
import io.eimf.core.cli.UsageException;
import io.eimf.core.json.Json;
import io.eimf.model.ibim.IbimConfig;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * {@code eimf bench serve-load}: overload test of a running {@code eimf serve} from a second process. Measures the
 * capacity (closed loop), offers twice that rate open-loop for a while, then half of it, and prints per phase the
 * offered and served rates, 503s, other errors and the p50/p99 of the served requests. Fails when anything but 200
 * and 503-with-Retry-After is seen, or when the recovery phase has a single non-200.
 */
public final class BenchServeLoadCommand implements Command {
    @Override
    public String name() {
        return "bench serve-load";
    }

    @Override
    public String summary() {
        return "overload a running eimf serve: capacity, a burst at 2x, recovery at 0.5x; 503s, errors, p50/p99";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.option("url", "URL", "the server, e.g. http://127.0.0.1:8000"))
                .addOption(Args.option("write-model", "DIR", "only write a random model of --items items (the model "
                        + "bench serve times) to DIR for eimf serve, then exit"))
                .addOption(Args.option("token", "T", "bearer token (default: $" + ServeCommand.TOKEN_ENV + ")"))
                .addOption(Args.option("token-file", "FILE", "read the bearer token from FILE"))
                .addOption(Args.option("items", "N", "item ids drawn from 1..N (default: the served model's size "
                        + "from /readyz; 10000 with --write-model)"))
                .addOption(Args.option("history", "L", "history length per request (default 20)"))
                .addOption(Args.option("n", "N", "top-N per request (default 50)"))
                .addOption(Args.option("clients", "C", "closed-loop clients of the capacity phase (default 8)"))
                .addOption(Args.option("connections", "C", "most requests in flight in the open-loop phases, as "
                        + "wrk2's connections; beyond, requests wait in the generator and that counts in their latency "
                        + "(default 256)"))
                .addOption(Args.option("warmup-seconds", "S", "untimed closed-loop warm-up (default 10)"))
                .addOption(Args.option("capacity-seconds", "S", "capacity phase (default 10)"))
                .addOption(Args.option("burst-seconds", "S", "open-loop burst (default 20)"))
                .addOption(Args.option("burst-factor", "F", "burst rate / capacity (default 2)"))
                .addOption(Args.option("recovery-seconds", "S", "open-loop recovery phase (default 10)"))
                .addOption(Args.option("recovery-factor", "F", "recovery rate / capacity (default 0.5)"))
                .addOption(Args.option("timeout-ms", "MS", "a request unanswered this long is an error (default 10000)"));
    }

    /** The three measured phases. */
    public record Result(LoadGenerator.Phase capacity, LoadGenerator.Phase burst, LoadGenerator.Phase recovery) {
        /** Errors other than 503-with-Retry-After anywhere, or any non-200 after the burst. */
        public String failure() {
            for (LoadGenerator.Phase p : List.of(capacity, burst, recovery)) {
                if (p.errors() > 0) return p.name() + ": " + p.errors() + " error(s), first: " + p.firstError();
            }
            if (recovery.ok() != recovery.sent()) {
                return "recovery: " + (recovery.sent() - recovery.ok()) + " of " + recovery.sent()
                        + " requests not answered 200 after the burst";
            }
            return null;
        }
    }

    /** Warm-up, capacity, burst and recovery against {@code gen}; progress to {@code log}. */
    public static Result run(LoadGenerator gen, int clients, Duration warmup, Duration capacity, Duration burst,
                             double burstFactor, Duration recovery, double recoveryFactor, PrintStream log)
            throws InterruptedException {
        if (!warmup.isZero()) gen.closedLoop("warm-up", clients, warmup);
        LoadGenerator.Phase cap = gen.closedLoop("capacity (closed loop, " + clients + " clients)", clients, capacity);
        if (cap.servedRate() <= 0) throw new EimfException("capacity phase served nothing: " + cap.firstError());
        log.printf(Locale.ROOT, "[bench serve-load] capacity %.0f req/s; burst at %.0f req/s for %ds%n",
                cap.servedRate(), burstFactor * cap.servedRate(), burst.toSeconds());
        LoadGenerator.Phase b = gen.openLoop(String.format(Locale.ROOT, "burst (open loop, %.1fx)", burstFactor),
                burstFactor * cap.servedRate(), burst);
        log.printf(Locale.ROOT, "[bench serve-load] recovery at %.0f req/s for %ds%n",
                recoveryFactor * cap.servedRate(), recovery.toSeconds());
        LoadGenerator.Phase r = gen.openLoop(String.format(Locale.ROOT, "recovery (open loop, %.1fx)",
                recoveryFactor), recoveryFactor * cap.servedRate(), recovery);
        return new Result(cap, b, r);
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        int hist = Args.intValue(cl, "history", 20);
        int topN = Args.intValue(cl, "n", 50);
        if (cl.hasOption("write-model")) {
            int items = Args.intValue(cl, "items", 10_000);
            BenchServeCommand.exportRandomModel(ctx.path(cl.getOptionValue("write-model")),
                    new IbimConfig("comirec-sa", 64, 4, Math.max(hist, 20), items, 0), 7);
            ctx.out().println("wrote a random comirec-sa model (" + items + " items, K=4, d=64) to "
                    + ctx.path(cl.getOptionValue("write-model")));
            return 0;
        }
        String base = Args.required(cl, "url").replaceAll("/+$", "");
        String tokenFile = cl.getOptionValue("token-file");
        String auth = BearerToken.resolve(cl.getOptionValue("token"), tokenFile == null ? null : ctx.path(tokenFile),
                ServeCommand.TOKEN_ENV, System.getenv()).map(BearerToken::header).orElse(null);
        Duration timeout = Duration.ofMillis(Args.longValue(cl, "timeout-ms", 10_000));
        int items = Args.intValue(cl, "items", -1);
        if (items < 0) {
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(base + "/readyz")).timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
            if (ready.statusCode() != 200) {
                throw new EimfException(base + "/readyz answered " + ready.statusCode() + ": " + ready.body());
            }
            JsonNode r = Json.mapper().readTree(ready.body());
            items = r.path("items").asInt(0);
            if (items < 1) throw new UsageException("--items: /readyz did not say the model's size; give --items");
        }
        SplittableRandom rnd = new SplittableRandom(11);
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 512; i++) {
            List<String> h = new ArrayList<>(hist);
            for (int j = 0; j < hist; j++) h.add(Integer.toString(1 + rnd.nextInt(items)));
            bodies.add(Json.write(Map.of("history", h, "n", topN, "ignoreUnknown", true)));
        }
        Result res;
        int connections = Args.intValue(cl, "connections", 256);
        if (connections < 1) throw new UsageException("--connections must be >= 1");
        try (LoadGenerator gen = new LoadGenerator(URI.create(base + "/v1/recommend"), auth, bodies, timeout,
                connections)) {
            res = run(gen, Args.intValue(cl, "clients", 8), seconds(cl, "warmup-seconds", 10),
                    seconds(cl, "capacity-seconds", 10), seconds(cl, "burst-seconds", 20),
                    Args.doubleValue(cl, "burst-factor", 2.0), seconds(cl, "recovery-seconds", 10),
                    Args.doubleValue(cl, "recovery-factor", 0.5), ctx.err());
        }
        ctx.out().printf(Locale.ROOT, "bench serve-load: %s, POST /v1/recommend, history %d random ids of 1..%d, top-%d; "
                        + "latency of 200 answers (closed loop: from send; open loop: from the scheduled send time; "
                        + "lag99: p99 of how late the generator sent, open loop, at most %d in flight); "
                        + "generator in this process, %d cores, load average %.1f, Java %s%n", base, hist, items, topN,
                connections,
                Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                System.getProperty("java.version"));
        ctx.out().printf("%-34s  %5s  %9s  %8s  %6s  %6s  %5s  %8s  %8s  %9s%n", "phase", "secs", "offered/s",
                "served/s", "200", "503", "other", "p50 ms", "p99 ms", "lag99 ms");
        for (LoadGenerator.Phase p : List.of(res.capacity(), res.burst(), res.recovery())) {
            ctx.out().printf(Locale.ROOT, "%-34s  %5.1f  %9.0f  %8.0f  %6d  %6d  %5d  %8.2f  %8.2f  %9.2f%n",
                    p.name(), p.seconds(), p.offeredRate(), p.servedRate(), p.ok(), p.rejected(), p.errors(),
                    p.p50Ms(), p.p99Ms(), p.sendLagP99Ms());
        }
        ctx.out().flush();
        String failure = res.failure();
        if (failure != null) throw new EimfException("bench serve-load: " + failure);
        return 0;
    }

    private static Duration seconds(CommandLine cl, String opt, int def) {
        int s = Args.intValue(cl, opt, def);
        if (s < 0) throw new UsageException("--" + opt + " must be >= 0");
        return Duration.ofSeconds(s);
    }
}
