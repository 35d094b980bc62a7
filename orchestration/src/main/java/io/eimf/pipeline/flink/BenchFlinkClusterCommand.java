package io.eimf.pipeline.flink;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.EimfException;
import io.eimf.core.cli.UsageException;
import io.eimf.core.dataset.DatasetManifest;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.json.Json;
import io.eimf.flink.prepare.PrepareJob;
import io.eimf.flink.prepare.PrepareOptions;
import io.eimf.flink.prepare.PrepareResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * {@code eimf bench flink-cluster}: {@code prepare} on a real Flink cluster through its REST API (what
 * {@code --flink-url} does: detached submission, polling) beside the embedded mini-cluster in this JVM, on the same
 * input; prints each run's wall time and Flink's job duration and checks that every run wrote the same content hash.
 */
public final class BenchFlinkClusterCommand implements Command {
    @Override
    public String name() {
        return "bench flink-cluster";
    }

    @Override
    public String summary() {
        return "benchmark prepare on a Flink cluster (REST) beside the embedded mini-cluster";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.requiredOption("flink-url", "URL", "the cluster's REST endpoint"))
                .addOption(Args.requiredOption("input", "PATH", "input data (a path the cluster sees too)"))
                .addOption(Args.option("format", "NAME", "input format (default ml-100k)"))
                .addOption(Args.option("parallelism", "P", "Flink parallelism of both (default 2)"))
                .addOption(Args.option("runs", "N", "runs of each (default 3)"))
                .addOption(Args.option("flink-jar", "JAR", "the job jar (default flink-jobs/target/...-job.jar)"))
                .addOption(Args.option("work", "DIR", "scratch folder the cluster sees (default: a temporary folder "
                        + "beside the input, deleted afterwards)"));
    }

    /** One measured run. */
    record Run(String engine, int run, double wallSeconds, double jobSeconds, String hash) {}

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        int p = Args.intValue(cl, "parallelism", 2);
        int runs = Args.intValue(cl, "runs", 3);
        if (p < 1 || runs < 1) throw new UsageException("--parallelism and --runs must be at least 1");
        Path input = ctx.path(Args.required(cl, "input")).toAbsolutePath().normalize();
        String format = cl.getOptionValue("format", "ml-100k");
        Path work = cl.hasOption("work") ? ctx.path(cl.getOptionValue("work")).toAbsolutePath()
                : Files.createTempDirectory(input.getParent(), ".eimf-bench-flink-");
        Files.createDirectories(work);
        FlinkRestClient client = new FlinkRestClient(cl.getOptionValue("flink-url"));
        Path jar = cl.hasOption("flink-jar") ? ctx.path(cl.getOptionValue("flink-jar")) : FlinkRestExecutor.findJobJar();
        List<Run> rows = new ArrayList<>();
        try {
            long u0 = System.nanoTime();
            String jarId = client.uploadJar(jar);
            double upload = (System.nanoTime() - u0) / 1e9;
            for (int i = 1; i <= runs; i++) {
                Path out = work.resolve("embedded-" + i);
                PrepareResult r = PrepareJob.run(new PrepareOptions(format, input, out).withParallelism(p), ctx.err());
                rows.add(new Run("mini-cluster (in this JVM)", i, r.millis() / 1000.0, r.jobMillis() / 1000.0,
                        r.manifest().contentHash()));
                AtomicOutput.deleteRecursively(out);
            }
            for (int i = 1; i <= runs; i++) {
                Path out = work.resolve("cluster-" + i);
                long t0 = System.nanoTime();
                String job = client.runJar(jarId, "io.eimf.flink.prepare.PrepareJob", List.of("--format", format,
                        "--input", input.toString(), "--out", out.toString(), "--parallelism", Integer.toString(p)), null);
                String state = client.await(job, Duration.ofMillis(100), Duration.ofMinutes(30), s -> {});
                double wall = (System.nanoTime() - t0) / 1e9;
                if (!state.equals("FINISHED")) {
                    throw new EimfException("Flink job " + job + " " + state + ": " + client.failureCause(job));
                }
                double jobSecs = client.job(job).path("duration").asLong() / 1000.0;
                String hash = Json.read(out.resolve(PreparedDataset.MANIFEST), DatasetManifest.class).contentHash();
                rows.add(new Run("cluster " + client.base() + " (REST)", i, wall, jobSecs, hash));
                AtomicOutput.deleteRecursively(out);
            }
            var o = ctx.out();
            o.printf(Locale.ROOT, "prepare %s from %s, parallelism %d; jar upload %.1fs (once)%n", format, input, p, upload);
            o.println("protocol: wall = submit (or PrepareJob.run) until the dataset is committed, client side; job = "
                    + "Flink's net job runtime (mini-cluster) or /jobs/:id duration (cluster)");
            o.printf(Locale.ROOT, "%-45s  %3s  %8s  %8s  %s%n", "engine", "run", "wall s", "job s", "content hash");
            for (Run r : rows) {
                o.printf(Locale.ROOT, "%-45s  %3d  %8.2f  %8.2f  %s%n", r.engine(), r.run(), r.wallSeconds(),
                        r.jobSeconds(), r.hash().substring(0, 12));
            }
            long distinct = rows.stream().map(Run::hash).distinct().count();
            o.println(distinct == 1 ? "content hash: identical in every run" : "content hash: DIFFERS between runs");
            return distinct == 1 ? 0 : 1;
        } finally {
            if (!cl.hasOption("work")) AtomicOutput.deleteRecursively(work);
        }
    }
}
