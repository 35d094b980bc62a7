package io.eimf.serve;

/**
 * Where the served model comes from: a registry alias ({@code models:/NAME@champion}) or a folder. The server polls
 * {@link #currentVersion()} and calls {@link #load()} only when it changed.
 */
public interface ModelSource {
    /** For logs and /metrics, e.g. {@code models:/eimf@champion}. */
    String describe();

    /** A cheap token that changes when a different model should be served (the version the alias points at). */
    String currentVersion() throws Exception;

    /** Loads the model the source points at now. */
    ServingModel load() throws Exception;
}
