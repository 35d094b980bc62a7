package io.eimf.mlflow.cli;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.UsageException;
import io.eimf.mlflow.registry.ModelRegistry;
import io.eimf.mlflow.registry.PromotionGate;
import io.eimf.mlflow.registry.Promotions;
import io.eimf.mlflow.registry.Stages;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code eimf promote}: moves an alias (champion/challenger) to a version, optionally gated on its metrics. */
public final class PromoteCommand implements Command {
    @Override
    public String name() {
        return "promote";
    }

    @Override
    public String summary() {
        return "point a registry alias at a model version (gated by --require), optionally set a legacy stage";
    }

    @Override
    public Options options() {
        Options o = Backends.add(new Options());
        o.addOption(Args.option("name", "NAME", "registered model (required)"));
        o.addOption(Args.option("version", "V", "version to promote (required)"));
        o.addOption(Args.option("alias", "ALIAS", "alias to move, e.g. champion or challenger"));
        o.addOption(Args.option("require", "EXPR",
                "gate, repeatable: METRIC OP NUMBER, e.g. \"test.recall@50>=0.08\" (version tag metric.* or run metric)"));
        o.addOption(Args.option("stage", "STAGE", "also move to a legacy stage: None|Staging|Production|Archived"));
        o.addOption(Option.builder().longOpt("archive-existing").desc("with --stage Staging/Production: archive versions already there").get());
        return o;
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        String name = Args.required(cl, "name");
        String version = Args.required(cl, "version");
        if (!version.matches("[1-9][0-9]*")) throw new UsageException("--version must be a version number, got '" + version + "'");
        String alias = cl.getOptionValue("alias");
        String stage = cl.getOptionValue("stage") == null ? null : Stages.canonical(cl.getOptionValue("stage"));
        if (alias == null && stage == null) throw new UsageException("give --alias and/or --stage");
        List<PromotionGate> gates = new ArrayList<>();
        String[] req = cl.getOptionValues("require");
        if (req != null) for (String r : req) gates.add(PromotionGate.parse(r));
        try (ModelRegistry reg = Backends.registry(cl, ctx)) {
            try {
                for (String line : Promotions.promote(reg, name, version, alias, gates, stage, cl.hasOption("archive-existing"))) {
                    ctx.out().println(line);
                }
            } catch (Promotions.GateRefused e) {
                ctx.err().println("eimf promote: " + e.getMessage());
                return 1;
            }
        }
        return 0;
    }
}
