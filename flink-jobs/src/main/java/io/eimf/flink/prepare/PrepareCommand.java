package io.eimf.flink.prepare;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code eimf prepare}: turns a public data set into a prepared dataset (Flink job, or the in-memory engine). */
public final class PrepareCommand implements Command {
    @Override
    public String name() {
        return "prepare";
    }

    @Override
    public String summary() {
        return "parse, filter, order and split interactions into a prepared dataset (Flink batch job)";
    }

    @Override
    public Options options() {
        return PrepareOptions.cliOptions()
                .addOption(Args.option("engine", "E",
                        "flink (embedded mini-cluster; default) or memory (single-threaded, same output)"));
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        String engine = Args.choice(cl, "engine", "flink", "flink", "memory");
        PrepareOptions o = PrepareOptions.fromCommandLine(cl, ctx::path);
        PrepareResult r = engine.equals("memory") ? InMemoryPreparer.run(o, ctx.err()) : PrepareJob.run(o, ctx.err());
        report(r, ctx);
        return 0;
    }

    static void report(PrepareResult r, CommandContext ctx) {
        long bad = r.manifest().counts().badLinesSkipped();
        if (bad > 0) {
            ctx.err().println("warning: skipped " + bad + " malformed line(s), recorded in manifest.counts.badLinesSkipped; first:");
            r.badLineExamples().forEach(e -> ctx.err().println("  " + e));
        }
        if (r.itemsWithoutMetadata() > 0) {
            ctx.err().println("warning: " + r.itemsWithoutMetadata() + " kept item(s) have no metadata (empty title)");
        }
        ctx.out().println(r.summary());
    }
}
