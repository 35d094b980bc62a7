package io.eimf.flink.prepare;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.UsageException;
import io.eimf.core.io.AtomicOutput;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code eimf bench prepare}: the Flink job at each parallelism beside the single-threaded in-memory engine on the
 * same synthetic data, at each size; prints time, throughput and sampled peak heap, and checks that every engine
 * wrote the same content hash.
 */
public final class PrepareBenchCommand implements Command {
    @Override
    public String name() {
        return "bench prepare";
    }

    @Override
    public String summary() {
        return "benchmark eimf prepare: Flink job at parallelism 1..n vs the in-memory engine on synthetic data";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.option("sizes", "N,N", "interaction counts (default 1000000,10000000)"))
                .addOption(Args.option("parallelism", "P,P", "Flink parallelisms (default 1,2)"))
                .addOption(Args.option("work", "DIR",
                        "scratch folder (default: a temporary folder, deleted afterwards)"))
                .addOption(Option.builder().longOpt("no-warmup").desc("skip the untimed 100k warm-up of each engine").get());
    }

    private static List<Long> longs(String s, String opt) {
        List<Long> out = new ArrayList<>();
        for (String p : s.split(",")) {
            try {
                long v = Long.parseLong(p.trim().replace("_", ""));
                if (v < 1) throw new NumberFormatException();
                out.add(v);
            } catch (NumberFormatException e) {
                throw new UsageException("--" + opt + ": expected positive integers separated by commas, got '" + s + "'");
            }
        }
        return out;
    }

    /** One measured run. */
    record Row(long size, String engine, int parallelism, double seconds, double jobSeconds, double cpuSeconds, long peakHeap,
               String hash) {}

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        List<Long> sizes = longs(cl.getOptionValue("sizes", "1000000,10000000"), "sizes");
        List<Long> ps = longs(cl.getOptionValue("parallelism", "1,2"), "parallelism");
        boolean temp = !cl.hasOption("work");
        Path work = temp ? Files.createTempDirectory("eimf-bench-prepare") : ctx.path(cl.getOptionValue("work"));
        List<Row> rows = new ArrayList<>();
        try {
            if (!cl.hasOption("no-warmup")) {
                Path w = work.resolve("warmup");
                BenchData.write(w.resolve("source"), 100_000, 1);
                measure(ctx, w, 100_000, "memory", 1);
                measure(ctx, w, 100_000, "flink", 1);
            }
            for (long size : sizes) {
                Path d = work.resolve("n" + size);
                ctx.err().println("[bench prepare] generating " + size + " interactions in " + d);
                BenchData.write(d.resolve("source"), size, 1);
                rows.add(measure(ctx, d, size, "memory", 1));
                for (long p : ps) rows.add(measure(ctx, d, size, "flink", (int) p));
                AtomicOutput.deleteRecursively(d);
            }
        } finally {
            if (temp) AtomicOutput.deleteRecursively(work);
        }
        print(ctx, rows);
        return 0;
    }

    private static Row measure(CommandContext ctx, Path d, long size, String engine, int p) throws Exception {
        Path out = d.resolve("out-" + engine + "-p" + p);
        PrepareOptions o = new PrepareOptions("ml-latest", d.resolve("source"), out).withOverwrite(true).withParallelism(p);
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        System.gc();
        AtomicLong peak = new AtomicLong(mem.getHeapMemoryUsage().getUsed());
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        PrepareResult r;
        try {
            r = engine.equals("memory") ? InMemoryPreparer.run(o, null) : PrepareJob.run(o, ctx.err());
        } finally {
            sampler.interrupt();
            sampler.join();
        }
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        ctx.err().printf(Locale.ROOT, "[bench prepare] %d %s p%d: %.1fs wall, %.1fs cpu%n", size, engine, p,
                r.millis() / 1000.0, cpu);
        AtomicOutput.deleteRecursively(out);
        return new Row(size, engine, p, r.millis() / 1000.0, r.jobMillis() / 1000.0, cpu, peak.get(),
                r.manifest().contentHash());
    }

    private static void print(CommandContext ctx, List<Row> rows) {
        ctx.out().println("eimf bench prepare: ml-latest synthetic input, comirec filter 5/5, comirec split seed 42; "
                + "time = wall time of the whole run (Flink: mini-cluster start + job + client concatenation), "
                + "job = Flink net job runtime; cpu = process CPU time (all threads) during the run; "
                + "heap = sampled peak used heap of this JVM");
        ctx.out().printf(Locale.ROOT, "%12s  %-6s  %2s  %8s  %8s  %8s  %14s  %9s  %-12s  %s%n", "interactions", "engine",
                "p", "time_s", "job_s", "cpu_s", "interactions/s", "heap_MiB", "hash", "time vs memory");
        for (Row r : rows) {
            Row base = rows.stream().filter(x -> x.size() == r.size() && x.engine().equals("memory")).findFirst().orElse(r);
            ctx.out().printf(Locale.ROOT, "%12d  %-6s  %2d  %8.1f  %8.1f  %8.1f  %14.0f  %9d  %-12s  %.2fx%s%n", r.size(),
                    r.engine(), r.parallelism(), r.seconds(), r.jobSeconds(), r.cpuSeconds(), r.size() / r.seconds(),
                    r.peakHeap() >> 20, r.hash().substring(0, 12), r.seconds() / base.seconds(),
                    r.hash().equals(base.hash()) ? "" : "  OUTPUT DIFFERS");
        }
    }
}
