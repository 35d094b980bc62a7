package io.eimf.mlflow.sync;

/**
 * What one sync sent: counts of runs created on the server, runs already complete there, and the records uploaded.
 * All zeros besides {@code upToDate} means the server already had everything.
 */
public record SyncReport(int runsCreated, int upToDate, int params, int tags, int metricPoints, int artifacts,
        int models, int runsEnded, int stillRunning) {
    /** Nothing sent. */
    public static final SyncReport EMPTY = new SyncReport(0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Sum of two reports. */
    public SyncReport plus(SyncReport o) {
        return new SyncReport(runsCreated + o.runsCreated, upToDate + o.upToDate, params + o.params, tags + o.tags,
                metricPoints + o.metricPoints, artifacts + o.artifacts, models + o.models, runsEnded + o.runsEnded,
                stillRunning + o.stillRunning);
    }

    /** Records sent (runs created included). */
    public int recordsSent() {
        return runsCreated + params + tags + metricPoints + artifacts + models + runsEnded;
    }

    @Override
    public String toString() {
        return "runs created " + runsCreated + ", already complete " + upToDate + ", params " + params + ", tags "
                + tags + ", metric points " + metricPoints + ", artifact files " + artifacts + ", models " + models
                + ", runs ended " + runsEnded + (stillRunning > 0 ? ", still running locally " + stillRunning : "");
    }
}
