package io.eimf.model.cli;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.EimfException;
import io.eimf.core.json.Json;
import io.eimf.model.inference.Recommender;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code eimf recommend}: top-N items for a history of raw item ids, from an exported model. */
public final class RecommendCommand implements Command {
    @Override
    public String name() {
        return "recommend";
    }

    @Override
    public String summary() {
        return "recommend top-N items for a history of raw item ids with an exported IBIM model";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.option("model", "DIR", "exported model directory (RUN/model)"))
                .addOption(Args.option("history", "IDS", "comma-separated raw item ids, oldest first"))
                .addOption(Args.option("top", "N", "how many items (default 10)"))
                .addOption(Option.builder().longOpt("json").desc("print JSON").get());
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        Path dir = ctx.path(Args.required(cl, "model"));
        List<String> history = Arrays.stream(Args.required(cl, "history").split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
        int top = Args.intValue(cl, "top", 10);
        if (top < 1) throw new io.eimf.core.cli.UsageException("--top must be positive");
        Recommender r;
        try {
            r = Recommender.load(dir);
        } catch (java.io.IOException e) {
            throw new EimfException(e.getMessage(), e);
        }
        Recommender.Result res;
        try {
            res = r.recommend(history, top);
        } catch (IllegalArgumentException e) {
            throw new EimfException(e.getMessage());
        }
        if (cl.hasOption("json")) {
            ctx.out().print(Json.pretty(new Object[] {res.items(), res.unknownIds()}).replaceFirst("^\\[", "[").trim() + "\n");
            return 0;
        }
        if (!res.unknownIds().isEmpty()) ctx.err().println("[recommend] ignored unknown item ids: " + res.unknownIds());
        ctx.out().printf(Locale.ROOT, "%s, %d interests, read the last %d of %d history items; inner-product scores%n",
                r.descriptor().config().backbone(), r.descriptor().config().interests(), res.historyUsed(), history.size());
        ctx.out().printf(Locale.ROOT, "%4s  %-10s %9s %8s  %s%n", "rank", "item", "score", "interest", "title");
        int rank = 1;
        for (Recommender.Item it : res.items()) {
            ctx.out().printf(Locale.ROOT, "%4d  %-10s %9.4f %8d  %s%n", rank++, it.rawId(), it.score(), it.interest(), it.title());
        }
        return 0;
    }
}
