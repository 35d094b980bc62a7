package io.eimf.mlflow.registry;

import io.eimf.core.cli.UsageException;
import java.util.List;

/** MLflow's legacy stage names in their canonical spelling. */
public final class Stages {
    /** The stages MLflow accepts. */
    public static final List<String> ALL = List.of("None", "Staging", "Production", "Archived");

    private Stages() {}

    /** The canonical spelling of {@code s} (case-insensitive), or a usage error listing the choices. */
    public static String canonical(String s) {
        for (String a : ALL) if (a.equalsIgnoreCase(s.trim())) return a;
        throw new UsageException("--stage must be one of " + String.join("|", ALL) + ", got '" + s + "'");
    }
}
