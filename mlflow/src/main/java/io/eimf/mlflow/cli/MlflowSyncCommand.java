package io.eimf.mlflow.cli;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.EimfException;
import io.eimf.core.cli.UsageException;
import io.eimf.mlflow.local.LocalFileStore;
import io.eimf.mlflow.rest.MlflowServer;
import io.eimf.mlflow.sync.RunSync;
import io.eimf.mlflow.sync.SyncReport;
import io.eimf.core.progress.Progress;
import java.nio.file.Files;
import java.time.Duration;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code eimf mlflow sync}: uploads locally recorded runs to a server; running it again sends nothing twice. */
public final class MlflowSyncCommand implements Command {
    @Override
    public String name() {
        return "mlflow sync";
    }

    @Override
    public String summary() {
        return "upload runs recorded in a local MLflow store to a tracking server (idempotent, incremental)";
    }

    @Override
    public Options options() {
        Options o = Backends.add(new Options());
        o.addOption(Args.option("run-id", "ID", "only this local run (and its parents)"));
        return o;
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        String uri = Backends.server(cl).orElseThrow(() -> new UsageException(
                "sync needs a server: --tracking-uri http://HOST:PORT or MLFLOW_TRACKING_URI"));
        LocalFileStore store = Backends.local(cl, ctx);
        if (!Files.isDirectory(store.root())) throw new EimfException("no local MLflow store at " + store.root());
        try (MlflowServer server = new MlflowServer(uri)) {
            RunSync sync = new RunSync(store, server);
            String one = cl.getOptionValue("run-id");
            int runs = one != null ? 1 : store.runIds().size();
            ctx.err().println("[mlflow sync] " + runs + " local run(s) in " + store.root() + " -> " + uri);
            SyncReport r = one != null ? sync.syncRun(one)
                    : sync.syncAll(new Progress("mlflow sync", runs, ctx.err(), Duration.ofSeconds(5)));
            ctx.out().println("synced " + store.root() + " -> " + uri + ": " + r);
            for (String d : r.dropped()) ctx.err().println("[mlflow sync] warning: " + d);
            for (String f : r.failed()) ctx.err().println("[mlflow sync] skipped unreadable " + f);
            if (r.recordsSent() == 0 && r.failed().isEmpty()) {
                ctx.out().println("server already had everything; nothing sent");
            }
            if (!r.failed().isEmpty()) {
                throw new EimfException(r.failed().size() + " local run(s) could not be read and were not synced "
                        + "(the others were); first: " + r.failed().get(0));
            }
        }
        return 0;
    }
}
