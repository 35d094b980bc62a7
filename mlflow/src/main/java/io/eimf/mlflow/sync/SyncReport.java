package io.eimf.mlflow.sync;

/**
 * What one sync sent: counts of runs created on the server, runs already complete there, and the records uploaded.
 * All zeros besides {@code upToDate} means the server already had everything. {@code dropped} names torn metric
 * lines left out (appends cut by a kill); {@code failed} names local runs that could not be read and were skipped.
 */
public record SyncReport(int runsCreated, int upToDate, int params, int tags, int metricPoints, int artifacts,
        int models, int runsEnded, int stillRunning, java.util.List<String> dropped, java.util.List<String> failed) {
    /** Nothing sent. */
    public static final SyncReport EMPTY = new SyncReport(0, 0, 0, 0, 0, 0, 0, 0, 0, java.util.List.of(),
            java.util.List.of());

    /** Counts only. */
    public SyncReport(int runsCreated, int upToDate, int params, int tags, int metricPoints, int artifacts,
                      int models, int runsEnded, int stillRunning) {
        this(runsCreated, upToDate, params, tags, metricPoints, artifacts, models, runsEnded, stillRunning,
                java.util.List.of(), java.util.List.of());
    }

    /** Sum of two reports. */
    public SyncReport plus(SyncReport o) {
        return new SyncReport(runsCreated + o.runsCreated, upToDate + o.upToDate, params + o.params, tags + o.tags,
                metricPoints + o.metricPoints, artifacts + o.artifacts, models + o.models, runsEnded + o.runsEnded,
                stillRunning + o.stillRunning, concat(dropped, o.dropped), concat(failed, o.failed));
    }

    /** This report with notes about torn lines dropped and runs that failed. */
    public SyncReport withProblems(java.util.List<String> moreDropped, java.util.List<String> moreFailed) {
        return new SyncReport(runsCreated, upToDate, params, tags, metricPoints, artifacts, models, runsEnded,
                stillRunning, concat(dropped, moreDropped), concat(failed, moreFailed));
    }

    private static java.util.List<String> concat(java.util.List<String> a, java.util.List<String> b) {
        if (b.isEmpty()) return a;
        if (a.isEmpty()) return java.util.List.copyOf(b);
        java.util.List<String> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return java.util.List.copyOf(out);
    }

    /** Records sent (runs created included). */
    public int recordsSent() {
        return runsCreated + params + tags + metricPoints + artifacts + models + runsEnded;
    }

    @Override
    public String toString() {
        return "runs created " + runsCreated + ", already complete " + upToDate + ", params " + params + ", tags "
                + tags + ", metric points " + metricPoints + ", artifact files " + artifacts + ", models " + models
                + ", runs ended " + runsEnded + (stillRunning > 0 ? ", still running locally " + stillRunning : "")
                + (dropped.isEmpty() ? "" : ", torn metric lines dropped " + dropped.size())
                + (failed.isEmpty() ? "" : ", runs skipped as unreadable " + failed.size());
    }
}
