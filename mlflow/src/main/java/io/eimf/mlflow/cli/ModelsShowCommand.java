package io.eimf.mlflow.cli;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.EimfException;
import io.eimf.mlflow.registry.ModelRegistry;
import io.eimf.mlflow.registry.ModelVersionInfo;
import java.time.Instant;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code eimf models show}: one model's versions in full, or one version (by number or alias). */
public final class ModelsShowCommand implements Command {
    @Override
    public String name() {
        return "models show";
    }

    @Override
    public String summary() {
        return "show a registered model's versions with tags, or one version by --version/--alias";
    }

    @Override
    public Options options() {
        Options o = Backends.add(new Options());
        o.addOption(Args.option("name", "NAME", "registered model (required)"));
        o.addOption(Args.option("version", "V", "only this version"));
        o.addOption(Args.option("alias", "ALIAS", "only the version this alias points at"));
        return o;
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        String name = Args.required(cl, "name");
        try (ModelRegistry reg = Backends.registry(cl, ctx)) {
            List<ModelVersionInfo> vs;
            if (cl.hasOption("version")) {
                vs = List.of(reg.version(name, cl.getOptionValue("version")).orElseThrow(() ->
                        new EimfException("model " + name + " has no version " + cl.getOptionValue("version") + " on " + reg.location())));
            } else if (cl.hasOption("alias")) {
                vs = List.of(reg.byAlias(name, cl.getOptionValue("alias")).orElseThrow(() ->
                        new EimfException("alias '" + cl.getOptionValue("alias") + "' of " + name + " is not set on " + reg.location())));
            } else {
                vs = reg.versions(name);
            }
            ctx.out().println(name + " (" + reg.location() + ") aliases " + reg.aliases(name));
            for (ModelVersionInfo v : vs) {
                ctx.out().println("version " + v.version() + "  stage " + v.stage() + "  status " + v.status()
                        + "  aliases " + v.aliases() + "  created " + Instant.ofEpochMilli(v.creationTimestamp()));
                ctx.out().println("  run     " + v.runId());
                ctx.out().println("  source  " + v.source());
                v.tags().forEach((k, val) -> ctx.out().println("  tag     " + k + " = " + val));
            }
        }
        return 0;
    }
}
