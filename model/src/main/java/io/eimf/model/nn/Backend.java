package io.eimf.model.nn;

import org.nd4j.linalg.factory.Nd4j;

/** Which ND4J backend and BLAS run the maths, and how many threads they use; recorded with every result. */
public final class Backend {
    private Backend() {}

    /** e.g. "nd4j-native (CPU, OpenBLAS, 1 BLAS thread)" or "nd4j-cuda-11.6 (...)". */
    public static String describe() {
        String cls = Nd4j.getBackend().getClass().getSimpleName();
        String kind = cls.toLowerCase(java.util.Locale.ROOT).contains("cuda") ? "nd4j-cuda-11.6 (CUDA)"
                : "nd4j-native (CPU)";
        String blas;
        try {
            Object v = Nd4j.getExecutioner().getEnvironmentInformation().get("blas.vendor");
            blas = v == null ? "unknown BLAS" : v.toString();
        } catch (RuntimeException e) {
            blas = "unknown BLAS";
        }
        int threads = Nd4j.factory().blas().getMaxThreads();
        return kind + ", BLAS " + blas + ", " + threads + " BLAS thread" + (threads == 1 ? "" : "s")
                + ", " + Nd4j.getEnvironment().maxThreads() + " op threads";
    }

    /** Whether the loaded backend is CUDA. */
    public static boolean isCuda() {
        return Nd4j.getBackend().getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT).contains("cuda");
    }

    /** Sets BLAS and op threads (0 keeps the defaults). */
    public static void setThreads(int n) {
        if (n <= 0) return;
        Nd4j.factory().blas().setMaxThreads(n);
        Nd4j.getEnvironment().setMaxThreads(n);
        Nd4j.getEnvironment().setMaxMasterThreads(n);
    }
}
