package io.eimf.core.synth;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.UsageException;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code eimf data synth}: writes a seeded synthetic data set with planted interests. */
public final class DataSynthCommand implements Command {
    @Override
    public String name() {
        return "data synth";
    }

    @Override
    public String summary() {
        return "generate users with planted multiple interests (MovieLens-latest CSV + truth.json)";
    }

    @Override
    public Options options() {
        SyntheticData.Config d = SyntheticData.Config.defaults();
        return new Options()
                .addOption(Args.requiredOption("out", "DIR", "output directory (written atomically)"))
                .addOption(opt("users", "number of users", d.users()))
                .addOption(opt("categories", "number of interest categories", d.categories()))
                .addOption(opt("items-per-category", "items in each category", d.itemsPerCategory()))
                .addOption(opt("min-interests", "least interests per user", d.minInterests()))
                .addOption(opt("max-interests", "most interests per user", d.maxInterests()))
                .addOption(opt("min-length", "shortest sequence", d.minLength()))
                .addOption(opt("max-length", "longest sequence", d.maxLength()))
                .addOption(opt("session-length", "mean run of items from one interest", d.sessionLength()))
                .addOption(opt("noise", "probability of a uniformly random interaction", d.behaviorNoise()))
                .addOption(opt("seed", "random seed", d.seed()))
                .addOption(Option.builder().longOpt("overwrite").desc("replace an existing output directory").get());
    }

    private static Option opt(String name, String desc, Object def) {
        return Args.option(name, desc + " (default " + def + ")");
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        SyntheticData.Config d = SyntheticData.Config.defaults();
        SyntheticData.Config c;
        try {
            c = new SyntheticData.Config(
                Args.intValue(cl, "users", d.users()),
                Args.intValue(cl, "categories", d.categories()),
                Args.intValue(cl, "items-per-category", d.itemsPerCategory()),
                Args.intValue(cl, "min-interests", d.minInterests()),
                Args.intValue(cl, "max-interests", d.maxInterests()),
                Args.intValue(cl, "min-length", d.minLength()),
                Args.intValue(cl, "max-length", d.maxLength()),
                Args.doubleValue(cl, "session-length", d.sessionLength()),
                Args.doubleValue(cl, "noise", d.behaviorNoise()),
                Args.longValue(cl, "seed", d.seed()));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Path out = ctx.path(Args.required(cl, "out"));
        SyntheticData.Generated g = SyntheticData.writeMovieLensCsv(c, out, cl.hasOption("overwrite"));
        ctx.out().printf("wrote %s: %d users, %d items, %d interactions (format ml-latest; seed %d)%n",
                out, c.users(), g.items().size(), g.interactions().size(), c.seed());
        return 0;
    }
}
