package io.eimf.mlflow.cli;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.UsageException;
import io.eimf.mlflow.model.ModelResolver;
import io.eimf.mlflow.registry.ModelRegistry;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code eimf models resolve}: downloads (or finds cached and verified) a models:/ URI and prints its folder. */
public final class ModelsResolveCommand implements Command {
    @Override
    public String name() {
        return "models resolve";
    }

    @Override
    public String summary() {
        return "fetch models:/NAME@ALIAS or models:/NAME/VERSION into the local cache and print the folder";
    }

    @Override
    public Options options() {
        Options o = Backends.add(new Options());
        o.addOption(Args.option("cache", "DIR", "cache folder (default $EIMF_MODEL_CACHE or ~/.cache/eimf/models)"));
        return o;
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        if (cl.getArgList().size() != 1) throw new UsageException("give exactly one models:/ URI");
        try (ModelRegistry reg = Backends.registry(cl, ctx)) {
            ModelResolver r = new ModelResolver(reg, cl.hasOption("cache") ? ctx.path(cl.getOptionValue("cache"))
                    : ModelResolver.defaultCache(), ctx.err());
            ModelResolver.Resolved res = r.resolve(cl.getArgList().get(0));
            ctx.out().println(res.folder());
        }
        return 0;
    }
}
