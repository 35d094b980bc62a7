package io.eimf.mlflow.tracking;

import io.eimf.core.cli.EimfException;
import io.eimf.core.provenance.ToolVersion;
import io.eimf.mlflow.local.LocalFileStore;
import io.eimf.mlflow.rest.MlflowServer;
import io.eimf.mlflow.rest.RetryPolicy;
import io.eimf.mlflow.sync.RunSync;
import io.eimf.mlflow.sync.SyncReport;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Records runs for the MLflow UI. Every record goes first to a local store in MLflow's file-store layout, which is
 * the journal: with no server configured that is all, and {@code eimf mlflow sync} uploads it later; with a server
 * the tracker flushes new records to it (at most every {@code flushInterval}, and always when a run ends or gets
 * artifacts). A flush that fails because the server is down leaves the records pending on disk; the tracker backs
 * off, retries on later records, and {@code sync} can finish the job after the process is gone.
 *
 * <p>Generic on purpose: training code reports through its own listeners, and whoever wires them calls
 * {@link TrackedRun#logMetric} and friends.
 */
public final class RunTracker implements AutoCloseable {
    private final LocalFileStore store;
    private final String experiment;
    private final MlflowServer server;
    private final RunSync sync;
    private final Duration flushInterval;
    private final PrintStream log;
    private final Set<String> dirty = new LinkedHashSet<>();
    private final Map<String, String> defaultTags;
    private long lastFlush;
    private long offlineUntil;
    private long backoffMs = 1000;
    private boolean offline;

    private RunTracker(Builder b) {
        this.store = new LocalFileStore(b.localDir);
        this.experiment = b.experiment;
        this.server = b.trackingUri == null ? null : new MlflowServer(b.trackingUri, b.policy);
        this.sync = server == null ? null : new RunSync(store, server);
        this.flushInterval = b.flushInterval;
        this.log = b.log;
        this.defaultTags = Map.copyOf(b.tags);
    }

    /** A builder for a tracker whose local store (journal) is {@code localDir}, usually {@code ./mlruns}. */
    public static Builder builder(Path localDir) {
        return new Builder(localDir);
    }

    /** Options of a {@link RunTracker}: required local folder, optional server and tuning. */
    public static final class Builder {
        private final Path localDir;
        private String trackingUri;
        private String experiment = "eimf";
        private Duration flushInterval = Duration.ofSeconds(5);
        private PrintStream log = System.err;
        private RetryPolicy policy = new RetryPolicy(2, Duration.ofMillis(100), Duration.ofMillis(500));
        private final Map<String, String> tags = new LinkedHashMap<>();

        private Builder(Path localDir) {
            this.localDir = localDir;
        }

        /** The http(s) server to mirror to; null keeps runs local. */
        public Builder trackingUri(String uri) {
            this.trackingUri = uri;
            return this;
        }

        /** The experiment runs are recorded under (default "eimf"). */
        public Builder experiment(String name) {
            this.experiment = name;
            return this;
        }

        /** The least time between two flushes while a run is live (default 5 s; zero flushes on every record). */
        public Builder flushInterval(Duration d) {
            this.flushInterval = d;
            return this;
        }

        /** Where warnings go (default stderr). */
        public Builder log(PrintStream ps) {
            this.log = ps;
            return this;
        }

        /** The retry policy for live flushes (default: 2 tries, so training never waits long on a dead server). */
        public Builder retryPolicy(RetryPolicy p) {
            this.policy = p;
            return this;
        }

        /** A tag set on every run this tracker starts (git sha, data hash, backend, ...). */
        public Builder tag(String key, String value) {
            if (value != null) tags.put(key, value);
            return this;
        }

        public RunTracker build() {
            return new RunTracker(this);
        }
    }

    /** The local store (journal). */
    public LocalFileStore store() {
        return store;
    }

    /** Whether a server is configured. */
    public boolean remote() {
        return server != null;
    }

    /** Starts a top-level run. */
    public TrackedRun startRun(String runName) {
        return startRun(runName, Map.of(), null);
    }

    /** Starts a run with extra tags; {@code parent} (may be null) makes it a nested run. */
    public synchronized TrackedRun startRun(String runName, Map<String, String> tags, TrackedRun parent) {
        Map<String, String> all = new LinkedHashMap<>(defaultTags);
        all.putIfAbsent(RunTags.TOOL_VERSION, ToolVersion.get());
        all.putAll(tags);
        if (parent != null) all.put(RunTags.PARENT_RUN_ID, parent.runId());
        try {
            String exp = parent != null ? parent.experimentId() : store.experiment(experiment);
            String id = store.createRun(exp, runName, System.currentTimeMillis(), all);
            TrackedRun run = new TrackedRun(this, id, exp);
            changed(id, true);
            return run;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record run in " + store.root() + ": " + e.getMessage(), e);
        }
    }

    /** Notes new records of a run and flushes if due (or forced). */
    synchronized void changed(String runId, boolean force) {
        dirty.add(runId);
        if (server == null) return;
        long now = System.currentTimeMillis();
        if (offline && now < offlineUntil) return;
        if (!force && !offline && now - lastFlush < flushInterval.toMillis()) return;
        flushNow();
    }

    /** Sends every pending record now; returns what was sent (EMPTY with no server or while it is down). */
    public synchronized SyncReport flush() {
        if (server == null) return SyncReport.EMPTY;
        return flushNow();
    }

    private SyncReport flushNow() {
        lastFlush = System.currentTimeMillis();
        SyncReport total = SyncReport.EMPTY;
        try {
            for (String id : new LinkedHashSet<>(dirty)) {
                total = total.plus(sync.syncRun(id));
                dirty.remove(id);
            }
            if (offline) {
                log.println("[mlflow] server " + server.uri() + " reachable again; flushed pending records ("
                        + total + ")");
            }
            offline = false;
            backoffMs = 1000;
        } catch (EimfException e) {
            // A server problem (down, rejecting) must never stop training: the records stay in the journal.
            if (!offline) {
                log.println("[mlflow] cannot reach " + server.uri() + " (" + e.getMessage() + "); runs keep being"
                        + " recorded in " + store.root() + " and will be flushed when it is back, or run"
                        + " 'eimf mlflow sync --local " + store.root() + " --tracking-uri " + server.uri() + "'");
            }
            offline = true;
            offlineUntil = System.currentTimeMillis() + backoffMs;
            backoffMs = Math.min(60_000, backoffMs * 2);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return total;
    }

    /** Runs with records the server has not acknowledged yet (always all touched runs when there is no server). */
    public synchronized int pendingRuns() {
        return dirty.size();
    }

    /** Flushes one last time and warns about what stays pending. */
    @Override
    public synchronized void close() {
        if (server == null) return;
        flushNow();
        if (!dirty.isEmpty()) {
            log.println("[mlflow] " + dirty.size() + " run(s) not yet on " + server.uri() + "; they are kept in "
                    + store.root() + ": run 'eimf mlflow sync --local " + store.root() + " --tracking-uri "
                    + server.uri() + "'");
        }
        server.close();
    }

    PrintStream log() {
        return log;
    }
}
