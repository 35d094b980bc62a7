package io.eimf.demo;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.EimfException;
import io.eimf.core.cli.UsageException;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.synth.SyntheticData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * {@code eimf demo data}: the first task of the demo pipeline. Generates the synthetic catalogue and users, or checks
 * a MovieLens folder, and writes {@code input.txt} (the raw data folder, relative to this output or absolute) and
 * {@code format.txt} (its prepare format) for the prepare task: {@code ${path:source/input.txt}}.
 */
public final class DemoDataCommand implements Command {
    @Override
    public String name() {
        return "demo data";
    }

    @Override
    public String summary() {
        return "stage the demo's raw data: generate synthetic users (synth) or point at a MovieLens 100K folder";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.option("data", "NAME", "synth (default) or ml-100k"))
                .addOption(Args.option("input", "DIR", "MovieLens 100K folder (u.data, u.item) for --data ml-100k"))
                .addOption(Args.option("users", "N", "synthetic users (default 600)"))
                .addOption(Args.option("seed", "S", "synthetic data seed (default 42)"))
                .addOption(Args.requiredOption("out", "DIR", "output folder"));
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        String data = Args.choice(cl, "data", "synth", "synth", "ml-100k");
        Path out = ctx.path(Args.required(cl, "out"));
        if (data.equals("synth")) {
            SyntheticData.Config c = SyntheticData.Config.defaults()
                    .withUsers(Args.intValue(cl, "users", 600))
                    .withSeed(Args.longValue(cl, "seed", 42));
            AtomicOutput.directory(out, false, tmp -> {
                SyntheticData.Generated g = SyntheticData.writeMovieLensCsv(c, tmp.resolve("raw"), false);
                // Relative: this folder is renamed into place after the task, so absolute paths would go stale.
                Files.writeString(tmp.resolve("input.txt"), "raw\n");
                Files.writeString(tmp.resolve("format.txt"), "ml-latest\n");
                ctx.out().printf("synthetic data: %d users, %d items, %d interactions, %d planted interest categories "
                        + "(seed %d)%n", c.users(), g.items().size(), g.interactions().size(), c.categories(), c.seed());
            });
        } else {
            String in = cl.getOptionValue("input", "");
            if (in.isBlank()) throw new UsageException("--data ml-100k needs --input DIR (the folder with u.data and u.item)");
            Path dir = ctx.path(in);
            if (!Files.isRegularFile(dir.resolve("u.data")) || !Files.isRegularFile(dir.resolve("u.item"))) {
                throw new EimfException(dir + ": not a MovieLens 100K folder (expected u.data and u.item)");
            }
            AtomicOutput.directory(out, false, tmp -> {
                Files.writeString(tmp.resolve("input.txt"), dir + "\n");
                Files.writeString(tmp.resolve("format.txt"), "ml-100k\n");
            });
            ctx.out().println("MovieLens 100K at " + dir);
        }
        return 0;
    }
}
