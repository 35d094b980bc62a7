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
import io.eimf.model.inference.AnnIndex;
import io.eimf.model.inference.ClusteredCatalogue;
import io.eimf.model.inference.Recommender;
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
                .addOption(Option.builder().longOpt("ann").desc("clustered item tables instead of random ones; build "
                        + "each model's HNSW index (eimf index build) and time exact against ANN retrieval on held-out "
                        + "users, with recall@n of ANN against exact").get())
                .addOption(Args.option("users", "U", "with --ann: held-out users (default 1000)"))
                .addOption(Args.option("user-seed", "S", "with --ann: seed of the held-out users (default 2026)"))
                .addOption(Args.option("model-seed", "S", "seed of the random weights and clustered table (default 7)"))
                .addOption(Args.option("ef-search", "N,N", "with --ann: candidates per interest to measure (default "
                        + AnnIndex.DEFAULT_EF_SEARCH + ")"))
                .addOption(Args.option("m", "M", "with --ann: graph degree (default " + AnnIndex.DEFAULT_M + ")"))
                .addOption(Args.option("ef-construction", "N", "with --ann: build beam width (default "
                        + AnnIndex.DEFAULT_EF_CONSTRUCTION + ")"))
                .addOption(Option.builder().longOpt("compare-nd4j").desc("also time the model alone on the plain-Java "
                        + "path and on the batched ND4J path evaluation uses, alternating in runs of 100 requests").get());
    }

    /** One ANN measurement: the index, then exact or ANN latency (ms) and recall@n against exact. */
    public record AnnRow(int items, double buildS, long indexBytes, int efSearch, String path, double p50, double p99,
                         double mean, double recallMean, double recallMin) {}

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
        List<AnnRow> annRows = new ArrayList<>();
        boolean ann = cl.hasOption("ann");
        long modelSeed = Args.longValue(cl, "model-seed", 7);
        int users = Args.intValue(cl, "users", 1000);
        long userSeed = Args.longValue(cl, "user-seed", 2026);
        List<Integer> efs = new ArrayList<>();
        for (String e : cl.getOptionValue("ef-search", Integer.toString(AnnIndex.DEFAULT_EF_SEARCH)).split(",")) {
            try {
                efs.add(Integer.parseInt(e.trim()));
            } catch (NumberFormatException x) {
                throw new UsageException("--ef-search expects counts like 100,160, got '" + e + "'");
            }
        }
        AnnIndex.Params params;
        try {
            params = new AnnIndex.Params(Args.intValue(cl, "m", AnnIndex.DEFAULT_M),
                    Args.intValue(cl, "ef-construction", AnnIndex.DEFAULT_EF_CONSTRUCTION), efs.get(0), AnnIndex.DEFAULT_SEED);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Path tmp = Files.createTempDirectory("eimf-bench-serve");
        try {
            for (int n : sizes) {
                Path dir = tmp.resolve("model-" + n);
                IbimConfig config = new IbimConfig(backbone, dim, k, Math.max(hist, 20), n, 0);
                ClusteredCatalogue catalogue = exportRandomModel(dir, config, modelSeed, ann);
                double buildS = 0;
                if (ann) {
                    // The index is built the way eimf index build does it: from the exported folder, into it.
                    Recommender plain = Recommender.load(dir, false);
                    long t0 = System.nanoTime();
                    AnnIndex index = AnnIndex.build(plain.itemTable(), dim, params,
                            plain.descriptor().files().get(ModelDirectory.WEIGHTS).sha256(), ctx.err());
                    buildS = (System.nanoTime() - t0) / 1e9;
                    ModelDirectory.writeIndex(dir, index);
                    plain = null;
                    index = null;
                    System.gc();
                }
                RecommenderModel model = RecommenderModel.load(dir, "random " + backbone + " " + n + " items", null);
                if (ann) annRows.addAll(annCase(model.recommender(), catalogue, n, buildS,
                        Files.size(dir.resolve(AnnIndex.FILE)), efs, users, userSeed, hist, topN, warmup, requests, ctx));
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
        if (ann) {
            ctx.out().printf(Locale.ROOT, "bench serve --ann: clustered item table (model seed %d), HNSW M=%d "
                            + "efConstruction=%d built single-threaded into the model folder; %d held-out users (seed %d), "
                            + "history %d; model only (interests + retrieval), exact and ANN alternating in runs of 100, "
                            + "%d timed requests each after %d warm-up; recall@%d = |ANN top-%d & exact top-%d| / %d per "
                            + "user over all held-out users; peak RSS %d MiB (VmHWM, whole run); max heap %d MiB%n",
                    modelSeed, params.m(), params.efConstruction(), users, userSeed, hist, requests, warmup, topN, topN,
                    topN, topN, peakRssKb() / 1024, Runtime.getRuntime().maxMemory() >> 20);
            ctx.out().printf("%-8s  %8s  %9s  %-6s  %5s  %8s  %8s  %8s  %11s  %10s%n", "items", "build s", "index MB",
                    "path", "ef", "p50 ms", "p99 ms", "mean ms", "recall mean", "recall min");
            for (AnnRow r : annRows) {
                ctx.out().printf(Locale.ROOT, "%-8d  %8.1f  %9.1f  %-6s  %5s  %8.3f  %8.3f  %8.3f  %11s  %10s%n", r.items(),
                        r.buildS(), r.indexBytes() / 1048576.0, r.path(), r.path().equals("exact") ? "-" : Integer.toString(r.efSearch()),
                        r.p50(), r.p99(), r.mean(), r.path().equals("exact") ? "-" : String.format(Locale.ROOT, "%.4f", r.recallMean()),
                        r.path().equals("exact") ? "-" : String.format(Locale.ROOT, "%.2f", r.recallMin()));
            }
        }
        return 0;
    }

    /**
     * Exact against ANN on held-out users of the clustered catalogue: recall of each efSearch over every user, then
     * latency with exact and ANN requests alternating in runs of 100 (same machine load for both).
     */
    private static List<AnnRow> annCase(Recommender r, ClusteredCatalogue cat, int n, double buildS, long indexBytes,
                                        List<Integer> efs, int users, long userSeed, int hist, int topN, int warmup,
                                        int requests, CommandContext ctx) {
        SplittableRandom rnd = new SplittableRandom(userSeed);
        int[][] h = new int[users][];
        for (int u = 0; u < users; u++) h[u] = cat.history(rnd, hist);
        ctx.err().printf("[bench serve] %d items: exact top-%d of %d held-out users%n", n, topN, users);
        int[][] truth = new int[users][];
        for (int u = 0; u < users; u++) {
            truth[u] = r.recommendDenseExact(h[u], topN).items().stream().mapToInt(Recommender.Item::id).sorted().toArray();
        }
        List<AnnRow> out = new ArrayList<>();
        AnnIndex base = r.index();
        long[] exactLat = null;
        for (int ef : efs) {
            Recommender a = r.withIndex(base.withEfSearch(ef));
            double sum = 0;
            double min = 1;
            for (int u = 0; u < users; u++) {
                int hits = 0;
                for (Recommender.Item it : a.recommendDenseAnn(h[u], topN).items()) {
                    if (Arrays.binarySearch(truth[u], it.id()) >= 0) hits++;
                }
                double rec = hits / (double) truth[u].length;
                sum += rec;
                min = Math.min(min, rec);
            }
            ctx.err().printf(Locale.ROOT, "[bench serve] %d items: ef %d recall@%d %.4f; timing%n", n, ef, topN, sum / users);
            long[] ex = new long[requests];
            long[] an = new long[requests];
            int total = warmup + requests;
            for (int from = 0; from < total; from += 100) {
                int to = Math.min(total, from + 100);
                for (int path = 0; path < 2; path++) {
                    for (int i = from; i < to; i++) {
                        int[] hh = h[i % users];
                        long t0 = System.nanoTime();
                        if (path == 0) r.recommendDenseExact(hh, topN);
                        else a.recommendDenseAnn(hh, topN);
                        long dt = System.nanoTime() - t0;
                        if (i >= warmup) (path == 0 ? ex : an)[i - warmup] = dt;
                    }
                }
            }
            if (exactLat == null) {
                exactLat = ex;
                Row e = row(n, "exact", ex);
                out.add(new AnnRow(n, buildS, indexBytes, 0, "exact", e.p50(), e.p99(), e.mean(), 1, 1));
            }
            Row x = row(n, "ann", an);
            out.add(new AnnRow(n, buildS, indexBytes, ef, "ann", x.p50(), x.p99(), x.mean(), sum / users, min));
        }
        return out;
    }

    /** Peak resident set of this process in KiB (Linux /proc/self/status VmHWM; -1 elsewhere). */
    static long peakRssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (Exception e) {
            // not Linux: no figure
        }
        return -1;
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
        exportRandomModel(dir, config, seed, false);
    }

    /**
     * As {@link #exportRandomModel(Path, IbimConfig, long)}; {@code clustered}: the item table is a
     * {@link ClusteredCatalogue} (returned, to draw users from), else null.
     */
    public static ClusteredCatalogue exportRandomModel(Path dir, IbimConfig config, long seed, boolean clustered)
            throws Exception {
        IbimModel model = new IbimModel(config, DataType.FLOAT, seed);
        ClusteredCatalogue cat = clustered
                ? ClusteredCatalogue.fill(model, ClusteredCatalogue.defaultClusters(config.numItems()), seed) : null;
        List<Item> items = new ArrayList<>(config.numItems());
        for (int i = 1; i <= config.numItems(); i++) {
            items.add(new Item(i, Integer.toString(i), "item " + i, List.of(), null));
        }
        ModelDirectory.write(dir, model, ItemVocabulary.of(items), Map.of("source", "random initialisation (bench)",
                "seed", seed), Map.of(), false);
        return cat;
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
