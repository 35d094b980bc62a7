package io.eimf.flink.cluster;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.UsageException;
import io.eimf.core.semantic.ClusterSet.TypicalSample;
import io.eimf.core.semantic.ClustersManifest;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code eimf cluster}: cluster users of a prepared dataset and pick the typical samples ESIM asks the LLM about. */
public final class ClusterCommand implements Command {
    /** Defaults sized for MovieLens 100K: 20 clusters x 5 samples = 100 LLM requests. */
    public static final int DEFAULT_K = 20;
    public static final int DEFAULT_M = 5;
    public static final int DEFAULT_L = 20;
    public static final long DEFAULT_SEED = 42;
    public static final int DEFAULT_MAX_ITERATIONS = 50;
    public static final double DEFAULT_TOLERANCE = 1e-4;
    public static final int DEFAULT_INIT_SAMPLE = 20_000;
    public static final String DEFAULT_EMBEDDING_MODEL = "all-minilm-l6-v2-q";

    @Override
    public String name() {
        return "cluster";
    }

    @Override
    public String summary() {
        return "cluster users (Flink k-means) and pick typical samples for interest extraction";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.option("data", "DIR", "prepared dataset"))
                .addOption(Args.option("out", "DIR", "clusters directory to write (atomically)"))
                .addOption(opt("features", "categories (normalised category histogram) or text (mean item text "
                        + "embedding)", ProfileFeatures.CATEGORIES))
                .addOption(opt("embedding-model", "embedding model for --features text", DEFAULT_EMBEDDING_MODEL))
                .addOption(opt("k", "number of clusters", DEFAULT_K))
                .addOption(opt("samples-per-cluster", "M: typical users per cluster (budget = k x M)", DEFAULT_M))
                .addOption(opt("min-interactions", "L: a typical user has at least this many prompt-visible "
                        + "interactions", DEFAULT_L))
                .addOption(opt("seed", "seed of k-means++ and its sample", DEFAULT_SEED))
                .addOption(opt("max-iterations", "Lloyd iteration cap", DEFAULT_MAX_ITERATIONS))
                .addOption(opt("tolerance", "stop when the relative inertia change is below this",
                        DEFAULT_TOLERANCE))
                .addOption(opt("init-sample", "k-means++ picks centres from a seeded sample of about this many "
                        + "users", DEFAULT_INIT_SAMPLE))
                .addOption(opt("parallelism", "Flink parallelism", 1))
                .addOption(Option.builder().longOpt("overwrite").desc("replace an existing output directory").get());
    }

    static Option opt(String name, String desc, Object def) {
        return Args.option(name, desc + " (default " + def + ")");
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        int parallelism = Args.intValue(cl, "parallelism", 1);
        if (parallelism < 1) throw new UsageException("--parallelism must be at least 1");
        ClusterJob.Options o;
        try {
            o = parse(cl, ctx::path);
        } catch (io.eimf.core.cli.EimfException e) {
            throw new UsageException(e.getMessage());
        }
        ClusterJob.Outcome r;
        try (FlinkRuntime rt = FlinkRuntime.shared(parallelism)) {
            r = ClusterJob.run(o, rt, ctx.err());
        }
        print(r, o.out(), ctx);
        return 0;
    }

    /** The run's options from a parsed command line (shared with the job jar's entry point). */
    static ClusterJob.Options parse(CommandLine cl, java.util.function.Function<String, java.nio.file.Path> path) {
        KMeans.Config km = new KMeans.Config(Args.intValue(cl, "k", DEFAULT_K), Args.longValue(cl, "seed", DEFAULT_SEED),
                Args.intValue(cl, "max-iterations", DEFAULT_MAX_ITERATIONS),
                Args.doubleValue(cl, "tolerance", DEFAULT_TOLERANCE),
                Args.intValue(cl, "init-sample", DEFAULT_INIT_SAMPLE));
        return new ClusterJob.Options(path.apply(Args.required(cl, "data")), path.apply(Args.required(cl, "out")),
                Args.choice(cl, "features", ProfileFeatures.CATEGORIES, ProfileFeatures.CATEGORIES, ProfileFeatures.TEXT),
                cl.getOptionValue("embedding-model", DEFAULT_EMBEDDING_MODEL), km,
                Args.intValue(cl, "samples-per-cluster", DEFAULT_M),
                Args.intValue(cl, "min-interactions", DEFAULT_L), cl.hasOption("overwrite"));
    }

    static void print(ClusterJob.Outcome r, java.nio.file.Path dir, CommandContext ctx) {
        ClustersManifest m = r.manifest();
        var out = ctx.out();
        out.printf(Locale.ROOT, "wrote %s (content %s; from dataset %s, split %s)%n", dir,
                m.contentHash().substring(0, 12), m.dataset().path(), m.dataset().splitProtocol());
        out.printf(Locale.ROOT, "protocol: k-means (greedy k-means++ init, Lloyd), %s features (%d-d%s), k=%d, "
                        + "seed=%d, %d iterations (%s), inertia %.6f; prompt cutoff: %s%n",
                m.features(), m.dimension(), m.embeddingModel() == null ? "" : ", " + m.embeddingModel(), m.k(),
                m.seed(), m.iterations(), m.converged() ? "converged" : "hit the cap", m.inertia(),
                m.promptCutoff());
        out.println("cluster  users  eligible(L>=" + m.minInteractions() + ")  samples  mean_sample_distance");
        long[] samplesPer = new long[m.k()];
        double[] dist = new double[m.k()];
        for (TypicalSample s : r.samples()) {
            samplesPer[s.cluster()]++;
            dist[s.cluster()] += s.distance();
        }
        for (int c = 0; c < m.k(); c++) {
            out.printf(Locale.ROOT, "%7d  %5d  %15d  %7d  %20s%n", c, m.clusterSizes().get(c),
                    r.eligiblePerCluster()[c], samplesPer[c],
                    samplesPer[c] == 0 ? "-" : String.format(Locale.ROOT, "%.4f", dist[c] / samplesPer[c]));
        }
        out.printf(Locale.ROOT, "total    %5d  %15d  %7d%n", m.users(), m.eligibleUsers(), m.budget());
        out.printf(Locale.ROOT, "LLM budget: %d requests (typical samples; at most k=%d x M=%d = %d)%n", m.budget(),
                m.k(), m.samplesPerCluster(), m.k() * m.samplesPerCluster());
    }
}
