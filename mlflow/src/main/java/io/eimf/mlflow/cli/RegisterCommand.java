package io.eimf.mlflow.cli;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.mlflow.local.LocalFileStore;
import io.eimf.mlflow.registry.ModelRegistry;
import io.eimf.mlflow.registry.Promotions;
import io.eimf.mlflow.rest.MlflowServer;
import io.eimf.mlflow.sync.RunSync;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * {@code eimf register}: a run's logged model becomes a new version of a registered model. With a server and a
 * run id that names a local run, the run is synced first and its server copy registered.
 */
public final class RegisterCommand implements Command {
    @Override
    public String name() {
        return "register";
    }

    @Override
    public String summary() {
        return "register a run's IBIM model as a new version in the MLflow model registry";
    }

    @Override
    public Options options() {
        Options o = Backends.add(new Options());
        o.addOption(Args.option("run-id", "ID", "run that logged the model (required)"));
        o.addOption(Args.option("artifact-path", "PATH", "model's artifact path in the run (default model)"));
        o.addOption(Args.option("name", "NAME", "registered model name (required)"));
        return o;
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        String runId = Args.required(cl, "run-id");
        String name = Args.required(cl, "name");
        String path = cl.getOptionValue("artifact-path", "model");
        Optional<String> server = Backends.server(cl);
        LocalFileStore local = Backends.local(cl, ctx);
        if (server.isPresent() && local.hasRun(runId)) {
            try (MlflowServer s = new MlflowServer(server.get())) {
                RunSync sync = new RunSync(local, s);
                ctx.err().println("[register] run " + runId + " is local; syncing it to " + server.get() + ": " + sync.syncRun(runId));
                runId = sync.remoteRunId(runId);
            }
        }
        try (ModelRegistry reg = Backends.registry(cl, ctx)) {
            ModelRegistry.Created c = Promotions.register(reg, runId, path, name);
            ctx.out().println((c.created() ? "registered " : "already registered: ") + name + " version "
                    + c.version().version() + " (run " + runId + ", " + c.version().source() + ") in " + reg.location());
            ctx.out().println("  tags: " + c.version().tags());
        }
        return 0;
    }
}
