package io.eimf.mlflow.local;

/** MLflow's run states, with the integer codes the file store writes into meta.yaml. */
public enum RunStatus {
    RUNNING(1), SCHEDULED(2), FINISHED(3), FAILED(4), KILLED(5);

    private final int code;

    RunStatus(int code) {
        this.code = code;
    }

    /** The code in meta.yaml's {@code status} field. */
    public int code() {
        return code;
    }

    /** The status for a meta.yaml code or REST name. */
    public static RunStatus of(Object v) {
        String s = String.valueOf(v).trim();
        for (RunStatus r : values()) if (r.name().equals(s) || String.valueOf(r.code).equals(s)) return r;
        throw new IllegalArgumentException("unknown MLflow run status '" + s + "'");
    }

    /** Whether the run has ended. */
    public boolean terminal() {
        return this == FINISHED || this == FAILED || this == KILLED;
    }
}
