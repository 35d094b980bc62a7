package io.eimf.mlflow.tracking;

/** The tag keys EIMF sets on runs and model versions; {@code mlflow.*} ones are MLflow's own and the UI uses them. */
public final class RunTags {
    private RunTags() {}

    /** MLflow's parent-run link for nested runs. */
    public static final String PARENT_RUN_ID = "mlflow.parentRunId";
    /** MLflow's run-name tag. */
    public static final String RUN_NAME = "mlflow.runName";
    /** MLflow's git commit tag, shown in the UI's run header. */
    public static final String GIT_COMMIT = "mlflow.source.git.commit";
    /** MLflow's source-name tag. */
    public static final String SOURCE_NAME = "mlflow.source.name";
    /** MLflow's record of models logged to a run (a JSON list), written by runs/log-model. */
    public static final String LOG_MODEL_HISTORY = "mlflow.log-model.history";
    /** SHA-256 of the prepared dataset the run read. */
    public static final String DATA_HASH = "eimf.data_hash";
    /** The compute backend (e.g. nd4j-native, nd4j-cuda-11.6). */
    public static final String BACKEND = "eimf.backend";
    /** The evaluation protocol's metric variant (e.g. full ranking, sampled). */
    public static final String METRIC_VARIANT = "eimf.metric_variant";
    /** The LLM provider that named the semantic interests. */
    public static final String SEMANTIC_PROVIDER = "eimf.semantic.provider";
    /** The LLM model that named the semantic interests. */
    public static final String SEMANTIC_MODEL = "eimf.semantic.model";
    /** The EIMF version that recorded the run. */
    public static final String TOOL_VERSION = "eimf.version";
    /** On a server run: the local run it was uploaded from (also the create-run idempotency key). */
    public static final String LOCAL_RUN_ID = "eimf.local_run_id";
    /** On a local run: the server run it was uploaded to. */
    public static final String REMOTE_RUN_ID = "eimf.sync.remote_run_id";
    /** On a local run: the server it was uploaded to. */
    public static final String REMOTE_URI = "eimf.sync.tracking_uri";
}
