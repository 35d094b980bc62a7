package io.eimf.model.esim;

import io.eimf.core.cli.UsageException;
import java.util.Locale;

/**
 * How ESIM's auxiliary losses join IBIM training (the formulation and defaults are in docs/METHOD.md,
 * "ESIM auxiliary losses").
 *
 * @param mode which auxiliary losses run: none (plain IBIM), align, predict or both
 * @param lambdaAlign weight of the modality-alignment InfoNCE loss (0.1)
 * @param lambdaPredict weight of the semantic-prediction cosine loss (0.1)
 * @param tau InfoNCE temperature (0.1)
 * @param scope samples: only typical samples carry semantic interests; cluster: their cluster members too
 */
public record EsimOptions(Mode mode, double lambdaAlign, double lambdaPredict, double tau, Scope scope) {
    /** Default weights and temperature. */
    public static final double DEFAULT_LAMBDA_ALIGN = 0.1;
    public static final double DEFAULT_LAMBDA_PREDICT = 0.1;
    public static final double DEFAULT_TAU = 0.1;

    /** The ablation switch. */
    public enum Mode {
        NONE, ALIGN, PREDICT, BOTH;

        public boolean align() {
            return this == ALIGN || this == BOTH;
        }

        public boolean predict() {
            return this == PREDICT || this == BOTH;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Mode parse(String s) {
            return switch (s) {
                case "none" -> NONE;
                case "align" -> ALIGN;
                case "predict" -> PREDICT;
                case "both" -> BOTH;
                default -> throw new UsageException("--esim must be one of none|align|predict|both, got '" + s + "'");
            };
        }
    }

    /** Which users carry semantic interests. */
    public enum Scope {
        SAMPLES, CLUSTER;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Scope parse(String s) {
            return switch (s) {
                case "samples" -> SAMPLES;
                case "cluster" -> CLUSTER;
                default -> throw new UsageException("--semantic-scope must be samples|cluster, got '" + s + "'");
            };
        }
    }

    public EsimOptions {
        if (mode == null || scope == null) throw new UsageException("ESIM mode and scope are required");
        if (!(lambdaAlign >= 0) || !(lambdaPredict >= 0)) throw new UsageException("ESIM loss weights must be >= 0");
        if (!(tau > 0)) throw new UsageException("--tau must be positive, got " + tau);
    }

    /** Plain IBIM. */
    public static EsimOptions none() {
        return new EsimOptions(Mode.NONE, DEFAULT_LAMBDA_ALIGN, DEFAULT_LAMBDA_PREDICT, DEFAULT_TAU, Scope.SAMPLES);
    }

    /** Both losses with the default weights. */
    public static EsimOptions both() {
        return none().withMode(Mode.BOTH);
    }

    public EsimOptions withMode(Mode m) {
        return new EsimOptions(m, lambdaAlign, lambdaPredict, tau, scope);
    }

    public EsimOptions withWeights(double la, double lp) {
        return new EsimOptions(mode, la, lp, tau, scope);
    }

    public EsimOptions withTau(double t) {
        return new EsimOptions(mode, lambdaAlign, lambdaPredict, t, scope);
    }

    public EsimOptions withScope(Scope s) {
        return new EsimOptions(mode, lambdaAlign, lambdaPredict, tau, s);
    }
}
