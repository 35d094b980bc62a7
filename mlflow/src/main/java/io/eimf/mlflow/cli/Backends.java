package io.eimf.mlflow.cli;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.CommandContext;
import io.eimf.mlflow.local.LocalFileStore;
import io.eimf.mlflow.registry.LocalModelRegistry;
import io.eimf.mlflow.registry.ModelRegistry;
import io.eimf.mlflow.registry.RemoteModelRegistry;
import io.eimf.mlflow.rest.MlflowServer;
import io.eimf.mlflow.rest.TrackingUri;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** The shared {@code --tracking-uri} / {@code --local} options and what they select. */
public final class Backends {
    /** The local store used when nothing else is named. */
    public static final String DEFAULT_LOCAL = "mlruns";

    private Backends() {}

    /** Adds --tracking-uri and --local to {@code o}. */
    public static Options add(Options o) {
        o.addOption(Args.option("tracking-uri", "URL",
                "MLflow server (default $MLFLOW_TRACKING_URI; none: the local store)"));
        o.addOption(Args.option("local", "DIR",
                "local MLflow file store (default ./" + DEFAULT_LOCAL + ", or a file: $MLFLOW_TRACKING_URI)"));
        return o;
    }

    /** The server named by --tracking-uri or $MLFLOW_TRACKING_URI, if any. */
    public static Optional<String> server(CommandLine cl) {
        return TrackingUri.server(cl.getOptionValue("tracking-uri"));
    }

    /** The local store named by --local, a file: tracking URI, or ./mlruns. */
    public static LocalFileStore local(CommandLine cl, CommandContext ctx) {
        String dir = cl.getOptionValue("local");
        if (dir == null) dir = TrackingUri.localStore(cl.getOptionValue("tracking-uri")).orElse(DEFAULT_LOCAL);
        return new LocalFileStore(ctx.path(dir));
    }

    /** The registry: the server's when one is configured, else the local one. */
    public static ModelRegistry registry(CommandLine cl, CommandContext ctx) {
        Optional<String> s = server(cl);
        return s.isPresent() ? new RemoteModelRegistry(new MlflowServer(s.get())) : new LocalModelRegistry(local(cl, ctx));
    }

    /** The local store's folder as a Path, for messages. */
    public static Path localDir(CommandLine cl, CommandContext ctx) {
        return local(cl, ctx).root();
    }
}
