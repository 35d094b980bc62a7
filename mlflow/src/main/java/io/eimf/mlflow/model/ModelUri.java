package io.eimf.mlflow.model;

import io.eimf.core.cli.UsageException;

/**
 * A registry model reference: {@code models:/NAME/VERSION} or {@code models:/NAME@ALIAS}, as MLflow writes them.
 *
 * @param version the version number, or null when an alias is given
 * @param alias the alias, or null when a version is given
 */
public record ModelUri(String name, String version, String alias) {
    /** Parses a {@code models:/} URI; a usage error shows both forms. */
    public static ModelUri parse(String uri) {
        String u = uri.trim();
        if (!u.startsWith("models:/")) throw bad(uri);
        String rest = u.substring("models:/".length());
        int at = rest.lastIndexOf('@');
        if (at > 0) {
            String name = rest.substring(0, at);
            String alias = rest.substring(at + 1);
            if (name.isEmpty() || alias.isEmpty() || name.contains("/")) throw bad(uri);
            return new ModelUri(name, null, alias);
        }
        int slash = rest.lastIndexOf('/');
        if (slash <= 0) throw bad(uri);
        String name = rest.substring(0, slash);
        String version = rest.substring(slash + 1);
        if (!version.matches("[1-9][0-9]*")) throw bad(uri);
        return new ModelUri(name, version, null);
    }

    /** Whether {@code s} looks like a models:/ URI (versus a local folder). */
    public static boolean isModelUri(String s) {
        return s != null && s.trim().startsWith("models:/");
    }

    private static UsageException bad(String uri) {
        return new UsageException("model URI must be models:/NAME/VERSION or models:/NAME@ALIAS, got '" + uri + "'");
    }

    @Override
    public String toString() {
        return "models:/" + name + (alias != null ? "@" + alias : "/" + version);
    }
}
