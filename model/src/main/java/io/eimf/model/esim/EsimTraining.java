package io.eimf.model.esim;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.EimfException;
import io.eimf.core.cli.UsageException;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.dataset.UserSequence;
import io.eimf.core.semantic.ClusterSet;
import io.eimf.core.semantic.SemanticInterestDataset;
import io.eimf.core.semantic.SemanticManifest;
import io.eimf.model.train.AuxiliaryObjective;
import io.eimf.model.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The ESIM part of {@code eimf train}: its options, reading and checking the semantic-interest dataset, and
 * attaching the auxiliary objectives to IBIM's {@link Trainer}. The exported model never sees any of it.
 */
public final class EsimTraining {
    private EsimTraining() {}

    /** Adds the ESIM options to a command's options. */
    public static Options addOptions(Options o) {
        return o.addOption(Args.option("esim", "MODE", "ESIM auxiliary losses: none|align|predict|both (default none: plain IBIM)"))
                .addOption(Args.option("semantic", "DIR", "semantic-interest dataset (eimf extract); needed unless --esim none"))
                .addOption(Args.option("clusters", "DIR", "clusters directory (eimf cluster); needed for --semantic-scope cluster"))
                .addOption(Args.option("semantic-scope", "S", "samples: only typical samples carry semantic interests; cluster: "
                        + "their cluster members get the union of their cluster's interests (default samples)"))
                .addOption(Args.option("lambda-align", "X", "weight of the modality-alignment loss (default "
                        + EsimOptions.DEFAULT_LAMBDA_ALIGN + ")"))
                .addOption(Args.option("lambda-predict", "X", "weight of the semantic-prediction loss (default "
                        + EsimOptions.DEFAULT_LAMBDA_PREDICT + ")"))
                .addOption(Args.option("tau", "X", "InfoNCE temperature of the alignment loss (default " + EsimOptions.DEFAULT_TAU + ")"));
    }

    /** The options given on the command line. */
    public static EsimOptions parse(CommandLine cl) {
        return new EsimOptions(EsimOptions.Mode.parse(cl.getOptionValue("esim", "none")),
                Args.doubleValue(cl, "lambda-align", EsimOptions.DEFAULT_LAMBDA_ALIGN),
                Args.doubleValue(cl, "lambda-predict", EsimOptions.DEFAULT_LAMBDA_PREDICT),
                Args.doubleValue(cl, "tau", EsimOptions.DEFAULT_TAU),
                EsimOptions.Scope.parse(cl.getOptionValue("semantic-scope", "samples")));
    }

    /** ESIM options and semantic interests, read and checked before any output is written. */
    public static final class Prepared {
        private final EsimOptions options;
        private final SemanticBank bank;
        private final Map<String, Object> info;

        private Prepared(EsimOptions options, SemanticBank bank, Map<String, Object> info) {
            this.options = options;
            this.bank = bank;
            this.info = info;
        }

        /** What is attached, for metrics.json and the training provenance. */
        public Map<String, Object> info() {
            return info;
        }

        /** Adds the objectives (none for {@code --esim none}) to {@code trainer}. */
        public Map<String, Object> attach(Trainer trainer, int dim, long seed) {
            for (AuxiliaryObjective a : Esim.objectives(options, bank, dim, DataType.FLOAT, seed)) trainer.addAuxiliary(a);
            return info;
        }
    }

    /**
     * Reads the semantic interests (when ESIM is on) and checks they were extracted from {@code ds} (and from the
     * given clusters); fails with a message naming the file otherwise.
     */
    public static Prepared prepare(CommandLine cl, CommandContext ctx, PreparedDataset ds) {
        EsimOptions o = parse(cl);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("mode", o.mode().label());
        if (o.mode() == EsimOptions.Mode.NONE) {
            if (cl.hasOption("semantic")) ctx.err().println("[esim] --esim none: --semantic is ignored (plain IBIM)");
            return new Prepared(o, null, info);
        }
        if (!cl.hasOption("semantic")) throw new UsageException("--esim " + o.mode().label() + " needs --semantic DIR");
        Path semDir = ctx.path(cl.getOptionValue("semantic"));
        SemanticInterestDataset sem = read(semDir);
        SemanticManifest sm = sem.manifest();
        if (!Objects.equals(sm.datasetContentHash(), ds.manifest().contentHash())) {
            throw new EimfException(semDir.resolve(SemanticInterestDataset.MANIFEST) + ": extracted from dataset "
                    + sm.datasetContentHash() + ", but --data " + ds.dir() + " has content hash "
                    + ds.manifest().contentHash());
        }
        ClusterSet clusters = null;
        if (cl.hasOption("clusters")) {
            Path cdir = ctx.path(cl.getOptionValue("clusters"));
            try {
                clusters = ClusterSet.read(cdir);
            } catch (IOException e) {
                throw new EimfException(e.getMessage(), e);
            }
            if (sm.clusters() != null && !Objects.equals(sm.clusters().contentHash(), clusters.manifest().contentHash())) {
                throw new EimfException(cdir.resolve(ClusterSet.MANIFEST) + ": content hash "
                        + clusters.manifest().contentHash() + " is not the clusters " + semDir + " was extracted from ("
                        + sm.clusters().contentHash() + ")");
            }
        } else if (o.scope() == EsimOptions.Scope.CLUSTER) {
            throw new UsageException("--semantic-scope cluster needs --clusters DIR");
        }
        SemanticBank bank = SemanticBank.build(sem, clusters, o.scope(), DataType.FLOAT);
        int batch = Args.intValue(cl, "batch", io.eimf.model.train.TrainOptions.defaults().batchSize());
        // the users TrainingData.of trains on: a training part of at least two items
        java.util.Set<Integer> train = new java.util.HashSet<>();
        for (UserSequence s : ds.sequences()) if (s.trainingItems().length >= 2) train.add(s.user());
        int trainUsers = train.size();
        long covered = java.util.Arrays.stream(bank.userIds()).filter(train::contains).count();
        ctx.err().printf(Locale.ROOT, "[esim] %s (lambda-align %s, lambda-predict %s, tau %s, scope %s): %d typical "
                        + "samples from %s/%s, %d of %d training users carry semantic interests (%.1f per batch of %d), "
                        + "%d distinct interests%n", o.mode().label(), o.lambdaAlign(), o.lambdaPredict(), o.tau(),
                o.scope().label(), bank.typicalUsers(), sm.provider(), sm.model(), covered, trainUsers,
                (double) covered / Math.max(1, trainUsers) * Math.min(trainUsers, batch),
                batch, bank.size());
        info.put("lambdaAlign", o.lambdaAlign());
        info.put("lambdaPredict", o.lambdaPredict());
        info.put("tau", o.tau());
        info.put("scope", o.scope().label());
        info.put("semantic", Map.of("dir", semDir.toString(), "contentHash", String.valueOf(sm.contentHash()),
                "provider", String.valueOf(sm.provider()), "model", String.valueOf(sm.model()),
                "embeddingModel", String.valueOf(sm.embeddingModel())));
        info.put("typicalSamples", bank.typicalUsers());
        info.put("trainUsersWithSemantics", covered);
        info.put("distinctInterests", bank.size());
        return new Prepared(o, bank, info);
    }

    private static SemanticInterestDataset read(Path dir) {
        try {
            return SemanticInterestDataset.read(dir);
        } catch (IOException e) {
            throw new EimfException(e.getMessage(), e);
        }
    }
}
