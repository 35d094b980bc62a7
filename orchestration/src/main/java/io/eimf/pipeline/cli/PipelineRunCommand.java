package io.eimf.pipeline.cli;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.UsageException;
import io.eimf.pipeline.run.PipelineRunner;
import io.eimf.pipeline.run.RunOptions;
import io.eimf.pipeline.spec.PipelineSpec;
import io.eimf.pipeline.spec.Resources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code eimf pipeline run FILE}: runs a pipeline YAML, resuming from whatever earlier runs finished. */
public final class PipelineRunCommand implements Command {
    @Override
    public String name() {
        return "pipeline run";
    }

    @Override
    public String summary() {
        return "run a pipeline YAML (FILE or a bundled name), skipping tasks finished before; resumes after a crash";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.option("work", "DIR",
                        "work folder for task outputs, logs and run records (default " + PipelineFiles.DEFAULT_WORK + ")"))
                .addOption(Args.option("resources", "SPEC",
                        "pool the tasks share, e.g. cpu=2,gpu=0,memory=8g (default: this machine's cores and the JVM heap)"))
                .addOption(Option.builder().longOpt("set").hasArgs().argName("NAME=VALUE")
                        .desc("override a pipeline parameter (repeatable)").get())
                .addOption(Args.option("until", "TASK", "run only TASK and what it depends on"))
                .addOption(Args.option("flink-url", "URL",
                        "submit Flink tasks to this cluster's REST API (default: embedded mini-cluster)"))
                .addOption(Args.option("flink-jar", "JAR",
                        "job jar to upload with --flink-url (default flink-jobs/target/eimf-flink-jobs-*-job.jar)"))
                .addOption(Args.option("heartbeat", "SECONDS",
                        "how often to print what running tasks are doing (default 10)"));
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        List<String> rest = cl.getArgList();
        if (rest.size() != 1) throw new UsageException("expected one pipeline FILE (or bundled name), got " + rest.size());
        PipelineSpec spec = PipelineFiles.load(ctx.workDir(), rest.get(0));
        RunOptions opts = options(cl, ctx);
        PipelineRunner.Report report = new PipelineRunner(spec, opts).run();
        ctx.out().print(PipelineRunner.table(report));
        return report.ok() ? 0 : 1;
    }

    /** Options shared with commands that run a pipeline (demo). */
    static RunOptions options(CommandLine cl, CommandContext ctx) {
        RunOptions opts = new RunOptions(ctx.path(cl.getOptionValue("work", PipelineFiles.DEFAULT_WORK)))
                .pool(Resources.parse(cl.getOptionValue("resources"), Resources.ofThisMachine()))
                .heartbeat(Duration.ofSeconds(Math.max(1, Args.intValue(cl, "heartbeat", 10))))
                .progress(ctx.err());
        String[] sets = cl.getOptionValues("set");
        if (sets != null) {
            for (String s : sets) {
                int eq = s.indexOf('=');
                if (eq <= 0) throw new UsageException("--set expects NAME=VALUE, got '" + s + "'");
                opts.param(s.substring(0, eq).trim(), s.substring(eq + 1));
            }
        }
        if (cl.hasOption("until")) opts.until(cl.getOptionValue("until"));
        if (cl.hasOption("flink-url")) opts.flinkUrl(cl.getOptionValue("flink-url"));
        if (cl.hasOption("flink-jar")) opts.flinkJar(ctx.path(cl.getOptionValue("flink-jar")));
        return opts;
    }

    /** For tests and other commands: the working folder default. */
    static Path defaultWork(CommandContext ctx) {
        return ctx.path(PipelineFiles.DEFAULT_WORK);
    }
}
