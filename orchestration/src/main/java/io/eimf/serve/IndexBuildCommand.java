package io.eimf.serve;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.EimfException;
import io.eimf.core.cli.UsageException;
import io.eimf.model.export.ModelDirectory;
import io.eimf.model.inference.AnnIndex;
import io.eimf.model.inference.Recommender;
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
        if (!java.nio.file.Files.isRegularFile(dir.resolve(ModelDirectory.MODEL_JSON))) {
            throw new EimfException(dir + ": no exported model (model.json) here");
        }
        // The old index is unlisted first: the build must not depend on it (it may be the damaged file being
        // replaced), and a server reloading meanwhile answers exactly.
        if (ModelDirectory.dropIndex(dir)) {
            ctx.err().println("index build: previous " + AnnIndex.FILE + " unlisted; a server on this folder answers "
                    + "exactly until the new one is written");
        }
        Recommender r = Recommender.load(dir, false);
        ModelDirectory.Descriptor d = r.descriptor();
        if (d.files() == null || !d.files().containsKey(ModelDirectory.WEIGHTS)) {
            throw new EimfException(dir.resolve(ModelDirectory.MODEL_JSON) + ": format " + d.formatVersion()
                    + " lists no file hashes; export the model again before building an index");
        }
        long t0 = System.nanoTime();
        AnnIndex index = AnnIndex.build(r.itemTable(), d.config().dim(), p,
                d.files().get(ModelDirectory.WEIGHTS).sha256(), ctx.err());
        double buildS = (System.nanoTime() - t0) / 1e9;
        ModelDirectory.writeIndex(dir, index);
        Path f = dir.resolve(AnnIndex.FILE);
        ctx.out().printf(Locale.ROOT, "index %s: %d items, M=%d efConstruction=%d, %d candidates per interest when "
                        + "serving; built in %.1f s (single thread), %d bytes; listed in %s%n", f, index.numItems(),
                p.m(), p.efConstruction(), p.efSearch(), buildS, Files.size(f), ModelDirectory.MODEL_JSON);
        return 0;
    }
}
