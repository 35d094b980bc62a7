package io.eimf.serve;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.UsageException;
import io.eimf.core.dataset.Item;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.json.Json;
import io.eimf.model.export.ItemVocabulary;
import io.eimf.model.export.ModelDirectory;
import io.eimf.model.ibim.IbimConfig;
import io.eimf.model.ibim.IbimModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@code eimf bench serve}: latency of one recommendation (top-N over the whole catalogue) in-process and over HTTP,
 * on randomly initialised models of the given sizes exported and loaded the way {@code eimf serve} loads them
 * (random weights rank as fast as trained ones: the work is the same matrix product and top-N heap).
 */
public final class BenchServeCommand implements Command {
    @Override
    public String name() {
        return "bench serve";
    }

    @Override
    public String summary() {
        return "measure recommendation latency p50/p99, in-process and over HTTP, for catalogues of given sizes";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.option("items", "N,N", "catalogue sizes (default 10000,100000)"))
                .addOption(Args.option("interests", "K", "interests per user (default 4)"))
                .addOption(Args.option("dim", "D", "embedding size (default 64)"))
                .addOption(Args.option("backbone", "B", "comirec-sa (default), comirec-dr or mind"))
                .addOption(Args.option("n", "N", "top-N (default 50)"))
                .addOption(Args.option("history", "L", "history length per request (default 20)"))
                .addOption(Args.option("requests", "R", "timed requests per case (default 2000)"))
                .addOption(Args.option("warmup", "W", "untimed requests first (default 500)"))
                .addOption(Args.option("threads", "N", "BLAS threads (default 1, as eimf serve)"))
                .addOption(Option.builder().longOpt("no-http").desc("in-process only").get())
                .addOption(Option.builder().longOpt("compare-nd4j").desc("also time the model alone on the plain-Java "
                        + "path and on the batched ND4J path evaluation uses, alternating in runs of 100 requests").get());
    }

    /** Latency summary of one case, in milliseconds. */
    public record Row(int items, String path, int requests, double p50, double p99, double mean) {}

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        int k = Args.intValue(cl, "interests", 4);
        int dim = Args.intValue(cl, "dim", 64);
        int topN = Args.intValue(cl, "n", 50);
        int hist = Args.intValue(cl, "history", 20);
        int requests = Args.intValue(cl, "requests", 2000);
        int warmup = Args.intValue(cl, "warmup", 500);
        String backbone = cl.getOptionValue("backbone", "comirec-sa");
        int threads = Args.intValue(cl, "threads", 1);
        ServeCommand.configureThreads(threads, ctx);
        List<Integer> sizes = new ArrayList<>();
        for (String s : cl.getOptionValue("items", "10000,100000").split(",")) {
            try {
                sizes.add(Integer.parseInt(s.trim()));
            } catch (NumberFormatException e) {
                throw new UsageException("--items expects sizes like 10000,100000, got '" + s + "'");
            }
        }
        List<Row> rows = new ArrayList<>();
        Path tmp = Files.createTempDirectory("eimf-bench-serve");
        try {
            for (int n : sizes) {
                Path dir = tmp.resolve("model-" + n);
                exportRandomModel(dir, new IbimConfig(backbone, dim, k, Math.max(hist, 20), n, 0), 7);
                RecommenderModel model = RecommenderModel.load(dir, "random " + backbone + " " + n + " items", null);
                ctx.err().printf("[bench serve] %d items: model exported and loaded; measuring%n", n);
                AtomicReference<ServingModel> ref = new AtomicReference<>(model);
                RecommendService service = new RecommendService(ref, new ServeMetrics(), 1000, 1000);
                SplittableRandom rnd = new SplittableRandom(11);
                List<List<String>> histories = new ArrayList<>();
                for (int i = 0; i < 256; i++) {
                    List<String> h = new ArrayList<>(hist);
                    for (int j = 0; j < hist; j++) h.add(Integer.toString(1 + rnd.nextInt(n)));
                    histories.add(h);
                }
                long[] lat = new long[requests];
                for (int i = 0; i < warmup + requests; i++) {
                    long t0 = System.nanoTime();
                    RecommendService.Answer a = service.recommend(histories.get(i % histories.size()), topN, false);
                    long dt = System.nanoTime() - t0;
                    if (a.items().size() != Math.min(topN, n)) throw new IllegalStateException("short answer");
                    if (i >= warmup) lat[i - warmup] = dt;
                }
                rows.add(row(n, "in-process", lat));
                if (cl.hasOption("compare-nd4j")) {
                    // The two paths alternate in runs of 100 requests: both see the same machine load, and neither
                    // request-by-request evicts the other's working set from the caches.
                    List<int[]> dense = histories.stream()
                            .map(h -> h.stream().mapToInt(model::itemId).toArray()).toList();
                    long[] plain = new long[requests];
                    long[] nd4j = new long[requests];
                    int total = warmup + requests;
                    for (int from = 0; from < total; from += 100) {
                        int to = Math.min(total, from + 100);
                        for (int path = 0; path < 2; path++) {
                            for (int i = from; i < to; i++) {
                                int[] h = dense.get(i % dense.size());
                                long t0 = System.nanoTime();
                                if (path == 0) model.recommender().recommendDense(h, topN);
                                else model.recommender().recommendDenseNd4j(h, topN);
                                long dt = System.nanoTime() - t0;
                                if (i >= warmup) (path == 0 ? plain : nd4j)[i - warmup] = dt;
                            }
                        }
                    }
                    rows.add(row(n, "model only, plain Java", plain));
                    rows.add(row(n, "model only, ND4J (reference)", nd4j));
                }
                if (!cl.hasOption("no-http")) {
                    try (RecommendServer server = new RecommendServer(new FixedSource(model)).port(0).poll(Duration.ZERO)
                            .log(new java.io.PrintStream(java.io.OutputStream.nullOutputStream())).start()) {
                        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                        URI uri = URI.create("http://127.0.0.1:" + server.port() + "/v1/recommend");
                        List<String> bodies = histories.stream()
                                .map(h -> Json.write(Map.of("history", h, "n", topN))).toList();
                        long[] hl = new long[requests];
                        for (int i = 0; i < warmup + requests; i++) {
                            HttpRequest req = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i % bodies.size()))).build();
                            long t0 = System.nanoTime();
                            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                            long dt = System.nanoTime() - t0;
                            if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
                            if (i >= warmup) hl[i - warmup] = dt;
                        }
                        rows.add(row(n, "http (1 client, keep-alive)", hl));
                    }
                }
            }
        } finally {
            AtomicOutput.deleteRecursively(tmp);
        }
        ctx.out().printf(Locale.ROOT, "bench serve: top-%d over the whole catalogue, K=%d, d=%d, %s, history %d, %d timed "
                + "requests after %d warm-up, sequential; BLAS threads %d, OMP_NUM_THREADS=%s; %d cores, load average %.1f, "
                + "Java %s%n", topN, k, dim, backbone, hist, requests, warmup, threads, System.getenv("OMP_NUM_THREADS"),
                Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                System.getProperty("java.version"));
        ctx.out().printf("%-8s  %-28s  %9s  %9s  %9s%n", "items", "path", "p50 ms", "p99 ms", "mean ms");
        for (Row r : rows) {
            ctx.out().printf(Locale.ROOT, "%-8d  %-28s  %9.3f  %9.3f  %9.3f%n", r.items(), r.path(), r.p50(), r.p99(), r.mean());
        }
        return 0;
    }

    static Row row(int items, String path, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        double mean = Arrays.stream(s).average().orElse(0) / 1e6;
        return new Row(items, path, s.length, pct(s, 0.50), pct(s, 0.99), mean);
    }

    /** Nearest-rank percentile in milliseconds. */
    static double pct(long[] sorted, double p) {
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    /** Writes a randomly initialised model of this shape as an exported model folder. */
    public static void exportRandomModel(Path dir, IbimConfig config, long seed) throws Exception {
        IbimModel model = new IbimModel(config, DataType.FLOAT, seed);
        List<Item> items = new ArrayList<>(config.numItems());
        for (int i = 1; i <= config.numItems(); i++) {
            items.add(new Item(i, Integer.toString(i), "item " + i, List.of(), null));
        }
        ModelDirectory.write(dir, model, ItemVocabulary.of(items), Map.of("source", "random initialisation (bench)",
                "seed", seed), Map.of(), false);
    }

    /** A source that always serves one in-memory model. */
    static final class FixedSource implements ModelSource {
        private final ServingModel model;

        FixedSource(ServingModel model) {
            this.model = model;
        }

        @Override
        public String describe() {
            return model.describe();
        }

        @Override
        public String currentVersion() {
            return "fixed";
        }

        @Override
        public ServingModel load() {
            return model;
        }
    }
}
