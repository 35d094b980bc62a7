package io.eimf.mlflow.rest;

import java.util.Optional;

/**
 * Where runs go: the {@code --tracking-uri} option, else the {@code MLFLOW_TRACKING_URI} environment variable, else
 * nowhere (runs are kept in the local file store until {@code eimf mlflow sync}). Only http(s) URIs name a server;
 * a {@code file:} URI or a plain path names a local store instead.
 */
public final class TrackingUri {
    private TrackingUri() {}

    /** The http(s) server to use, if any. */
    public static Optional<String> server(String option) {
        String v = option != null && !option.isBlank() ? option : System.getenv("MLFLOW_TRACKING_URI");
        if (v == null || v.isBlank()) return Optional.empty();
        v = v.strip();
        return v.startsWith("http://") || v.startsWith("https://") ? Optional.of(v) : Optional.empty();
    }

    /** A local store named by the option or env var ({@code file:} URI or path), if that is what they name. */
    public static Optional<String> localStore(String option) {
        String v = option != null && !option.isBlank() ? option : System.getenv("MLFLOW_TRACKING_URI");
        if (v == null || v.isBlank() || v.startsWith("http://") || v.startsWith("https://")) return Optional.empty();
        return Optional.of(v.startsWith("file://") ? v.substring("file://".length())
                : v.startsWith("file:") ? v.substring("file:".length()) : v);
    }
}
