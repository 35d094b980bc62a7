package io.eimf.core.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The one rule for tests against real systems (MLflow server, Flink cluster, PostgreSQL, Chromium): where the system
 * is absent the test is skipped on a developer's machine, but under {@code CI=true} it fails, because CI's
 * {@code .ci/run} installs and starts every one of them and a skip there would hide a broken setup.
 */
public final class RealSystems {
    private RealSystems() {}

    /** True when running under CI ({@code CI=true}), where a missing real system is a failure. */
    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * Requires a real system: passes when {@code available}, else skips the test (locally) or fails it (in CI).
     *
     * @param available whether the system was found
     * @param what      what is missing and how to provide it, e.g. "MLflow server: set EIMF_MLFLOW_TEST_URI"
     */
    public static void require(boolean available, String what) {
        if (available) return;
        if (inCi()) Assertions.fail("CI=true but a real system is missing (a skip here would hide it): " + what);
        Assumptions.assumeTrue(false, "real system missing: " + what);
    }

    /** The value of an environment variable naming a real system, or a skip (locally) / failure (in CI). */
    public static String env(String name, String what) {
        String v = System.getenv(name);
        require(v != null && !v.isBlank(), what + " (set " + name + "; .ci/run does)");
        return v.strip();
    }
}
