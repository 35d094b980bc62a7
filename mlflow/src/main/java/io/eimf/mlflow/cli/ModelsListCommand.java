package io.eimf.mlflow.cli;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.mlflow.registry.ModelRegistry;
import io.eimf.mlflow.registry.ModelVersionInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code eimf models list}: registered models with their versions, aliases, stages and key metrics. */
public final class ModelsListCommand implements Command {
    @Override
    public String name() {
        return "models list";
    }

    @Override
    public String summary() {
        return "list registered models: versions, aliases, stages, metrics (from version tags metric.*)";
    }

    @Override
    public Options options() {
        Options o = Backends.add(new Options());
        o.addOption(Args.option("name", "NAME", "only this model"));
        return o;
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        try (ModelRegistry reg = Backends.registry(cl, ctx)) {
            List<String> names = cl.hasOption("name") ? List.of(cl.getOptionValue("name")) : reg.modelNames();
            ctx.out().println("registry: " + reg.location());
            if (names.isEmpty()) ctx.out().println("(no registered models)");
            for (String n : names) {
                ctx.out().println(n + "  aliases " + reg.aliases(n));
                ctx.out().printf(Locale.ROOT, "  %-7s %-10s %-20s %-34s %s%n", "version", "stage", "aliases", "run", "metrics (run's latest at registration) [metric variant]");
                for (ModelVersionInfo v : reg.versions(n)) ctx.out().println(row(v));
            }
        }
        return 0;
    }

    static String row(ModelVersionInfo v) {
        String variant = v.tags().get(io.eimf.mlflow.tracking.RunTags.METRIC_VARIANT);
        return String.format(Locale.ROOT, "  %-7s %-10s %-20s %-34s %s%s", v.version(), v.stage(),
                String.join(",", v.aliases()), v.runId(), metrics(v.metricTags()),
                variant == null ? "" : " [" + variant + "]");
    }

    static String metrics(Map<String, Double> m) {
        List<String> parts = new ArrayList<>();
        m.forEach((k, val) -> {
            if (k.startsWith("test.") || k.startsWith("valid.") || k.startsWith("val.")) {
                parts.add(String.format(Locale.ROOT, "%s=%.4f", k, val));
            }
        });
        if (parts.isEmpty()) m.forEach((k, val) -> parts.add(String.format(Locale.ROOT, "%s=%.4g", k, val)));
        return parts.isEmpty() ? "-" : String.join(" ", parts);
    }
}
