package io.eimf.model.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Central finite differences in double precision against an analytic gradient. */
public final class GradCheck {
    private GradCheck() {}

    /**
     * Checks {@code samples} entries of {@code analytic} (the gradient of {@code loss} w.r.t. {@code param}) by
     * perturbing {@code param} in place.
     */
    public static void check(String what, INDArray param, INDArray analytic, DoubleSupplier loss, int samples, Rng rng) {
        long n = param.length();
        INDArray flat = param.reshape(n);
        INDArray g = analytic.dup().reshape(n);
        double eps = 1e-6;
        int checked = 0;
        double worst = 0;
        for (int s = 0; s < Math.min(samples, n); s++) {
            long i = samples >= n ? s : rng.nextInt((int) n);
            double orig = flat.getDouble(i);
            flat.putScalar(i, orig + eps);
            double lp = loss.getAsDouble();
            flat.putScalar(i, orig - eps);
            double lm = loss.getAsDouble();
            flat.putScalar(i, orig);
            double num = (lp - lm) / (2 * eps);
            double ana = g.getDouble(i);
            double err = Math.abs(num - ana) / Math.max(1e-6, Math.abs(num) + Math.abs(ana));
            // absolute slack for entries whose true gradient is ~0 (central differences are only ~1e-8 exact there)
            worst = Math.max(worst, Math.abs(num - ana) < 1e-6 ? 0 : err);
            checked++;
        }
        assertTrue(worst < 1e-4, what + ": worst relative error " + worst + " over " + checked + " entries");
    }
}
