package io.eimf.flink.cluster;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.UsageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * {@code eimf bench cluster}: times k-means on synthetic profiles generated inside the source tasks (never held by
 * the client), per user count and parallelism, and the same pass without k-means (generation only) so the table
 * separates the cost of the data from the cost of the assignment step.
 */
public final class ClusterBenchCommand implements Command {
    @Override
    public String name() {
        return "bench cluster";
    }

    @Override
    public String summary() {
        return "time Flink k-means per iteration on synthetic user profiles";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(ClusterCommand.opt("users", "comma-separated profile counts", "100000,1000000"))
                .addOption(ClusterCommand.opt("dimension", "profile length", 384))
                .addOption(ClusterCommand.opt("k", "clusters (and planted clusters)", 20))
                .addOption(ClusterCommand.opt("iterations", "Lloyd iterations to time (tolerance 0)", 5))
                .addOption(ClusterCommand.opt("parallelism", "comma-separated parallelisms", "1,2"))
                .addOption(ClusterCommand.opt("init-sample", "k-means++ sample size", 10_000))
                .addOption(ClusterCommand.opt("seed", "seed", 42))
                .addOption(Option.builder().longOpt("per-job-runtime").desc("also time a fresh local environment "
                        + "per job (instead of one shared mini-cluster) for the smallest user count").get());
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        long[] users = longs(cl.getOptionValue("users", "100000,1000000"), "users");
        int[] pars = ints(cl.getOptionValue("parallelism", "1,2"), "parallelism");
        int d = Args.intValue(cl, "dimension", 384);
        int k = Args.intValue(cl, "k", 20);
        int iterations = Args.intValue(cl, "iterations", 5);
        int initSample = Args.intValue(cl, "init-sample", 10_000);
        long seed = Args.longValue(cl, "seed", 42);
        List<String[]> rows = new ArrayList<>();
        for (long n : users) {
            for (int p : pars) {
                rows.add(measure(n, d, k, iterations, initSample, seed, p, false, ctx));
                if (cl.hasOption("per-job-runtime") && n == users[0]) {
                    rows.add(measure(n, d, k, iterations, initSample, seed, p, true, ctx));
                }
            }
        }
        var out = ctx.out();
        out.printf("protocol: synthetic profiles (%d-d, %d planted clusters, uniform noise 0.5, generated in the source "
                + "per user id), k-means k=%d, greedy k-means++ on a ~%d sample, %d Lloyd iterations (tolerance 0), "
                + "BATCH mode, JVM max heap %d MiB, %d CPUs%n", d, k, k, initSample, iterations,
                Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors());
        out.println("| users | parallelism | runtime | generate-only pass s | init s | iterations | s/iteration (mean) "
                + "| min | max | profiles/s per iteration | load avg (1 min) after |");
        out.println("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String[] r : rows) out.println("| " + String.join(" | ", r) + " |");
        return 0;
    }

    private static String[] measure(long n, int d, int k, int iterations, int initSample, long seed, int p,
                                    boolean perJob, CommandContext ctx) throws Exception {
        SyntheticProfiles src = new SyntheticProfiles(n, d, k, 0.5, seed);
        try (FlinkRuntime rt = perJob ? FlinkRuntime.perJob(p) : FlinkRuntime.shared(p)) {
            long t = System.nanoTime();
            long seen = Collect.all(src.build(rt.env()).transform("count", TypeInformation.of(PartialSums.class),
                            new PartitionSums(new float[1][d], true))
                    .executeAndCollect("eimf bench: generate only")).stream().mapToLong(x -> x.counts[0]).sum();
            double gen = (System.nanoTime() - t) / 1e9;
            if (seen != n) throw new IllegalStateException("generated " + seen + " profiles, expected " + n);
            ctx.err().printf(Locale.ROOT, "[bench cluster] n=%d p=%d %s: generate-only pass %.2fs%n", n, p,
                    perJob ? "per-job" : "shared", gen);
            KMeans.Result r = KMeans.fit(src, new KMeans.Config(k, seed, iterations, 0, initSample), rt,
                    (it, inertia, sizes, secs) -> ctx.err().printf(Locale.ROOT,
                            "[bench cluster] n=%d p=%d iteration %d inertia %.1f %.2fs%n", n, p, it, inertia, secs));
            double sum = 0, min = Double.MAX_VALUE, max = 0;
            for (double s : r.iterationSeconds()) {
                sum += s;
                min = Math.min(min, s);
                max = Math.max(max, s);
            }
            double mean = sum / r.iterationSeconds().size();
            return new String[] {String.valueOf(n), String.valueOf(p),
                    perJob ? "local env per job" : "shared mini-cluster", f(gen), f(r.initSeconds()),
                    String.valueOf(r.iterationSeconds().size()), f(mean), f(min), f(max),
                    String.format(Locale.ROOT, "%.0f", n / mean), loadAverage()};
        }
    }

    /** The 1-minute load average: on a shared machine it says how much the timings were disturbed. */
    private static String loadAverage() {
        double l = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return l < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", l);
    }

    private static String f(double s) {
        return String.format(Locale.ROOT, "%.2f", s);
    }

    private static long[] longs(String s, String opt) {
        String[] p = s.split(",");
        long[] v = new long[p.length];
        try {
            for (int i = 0; i < p.length; i++) v[i] = Long.parseLong(p[i].trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + opt + " must be comma-separated integers, got '" + s + "'");
        }
        return v;
    }

    private static int[] ints(String s, String opt) {
        long[] l = longs(s, opt);
        int[] v = new int[l.length];
        for (int i = 0; i < l.length; i++) v[i] = (int) l[i];
        return v;
    }
}
