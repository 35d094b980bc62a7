package io.eimf.serve;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.UsageException;
import io.eimf.model.export.ModelDirectory;
import io.eimf.model.inference.AnnIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * {@code eimf index build}: builds the HNSW index of an exported model folder and lists it in model.json's
 * {@code files} map, so it is verified, registered and downloaded with the weights. A server on the folder answers
 * exactly until model.json lists the new index, then reloads with it.
 */
public final class IndexBuildCommand implements Command {
    @Override
    public String name() {
        return "index build";
    }

    @Override
    public String summary() {
        return "build the approximate (HNSW) retrieval index of an exported model folder, in place";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.requiredOption("model", "DIR", "exported model folder (format 2)"))
                .addOption(Args.option("m", "M", "graph degree (default " + AnnIndex.DEFAULT_M + "; 2*M links on level 0)"))
                .addOption(Args.option("ef-construction", "N", "beam width while building (default "
                        + AnnIndex.DEFAULT_EF_CONSTRUCTION + ")"))
                .addOption(Args.option("ef-search", "N", "candidates per interest when serving, stored in the index "
                        + "(default " + AnnIndex.DEFAULT_EF_SEARCH + ")"))
                .addOption(Args.option("seed", "S", "level assignment seed (default " + AnnIndex.DEFAULT_SEED + ")"));
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        Path dir = RecommenderModel.modelFolder(ctx.path(Args.required(cl, "model")));
        AnnIndex.Params p;
        try {
            p = new AnnIndex.Params(Args.intValue(cl, "m", AnnIndex.DEFAULT_M),
                    Args.intValue(cl, "ef-construction", AnnIndex.DEFAULT_EF_CONSTRUCTION),
                    Args.intValue(cl, "ef-search", AnnIndex.DEFAULT_EF_SEARCH),
                    Args.longValue(cl, "seed", AnnIndex.DEFAULT_SEED));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        long t0 = System.nanoTime();
        AnnIndex index = ModelDirectory.buildIndex(dir, p, ctx.err());
        double buildS = (System.nanoTime() - t0) / 1e9;
        ModelDirectory.writeIndex(dir, index);
        Path f = dir.resolve(AnnIndex.FILE);
        ctx.out().printf(Locale.ROOT, "index %s: %d items, M=%d efConstruction=%d, %d candidates per interest when "
                        + "serving; built in %.1f s (single thread, with loading the model), %d bytes; listed in %s%n", f, index.numItems(),
                p.m(), p.efConstruction(), p.efSearch(), buildS, Files.size(f), ModelDirectory.MODEL_JSON);
        return 0;
    }
}
