package io.eimf.model.cli;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.EimfException;
import io.eimf.core.cli.UsageException;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.json.Json;
import io.eimf.core.provenance.ToolVersion;
import io.eimf.model.backbone.Backbones;
import io.eimf.model.backbone.HistoryAlignment;
import io.eimf.model.baseline.MostPopular;
import io.eimf.model.esim.EsimTraining;
import io.eimf.model.eval.Evaluator;
import io.eimf.model.export.ItemVocabulary;
import io.eimf.model.export.ModelDirectory;
import io.eimf.model.ibim.IbimConfig;
import io.eimf.model.ibim.IbimModel;
import io.eimf.model.nn.Backend;
import io.eimf.model.nn.Init;
import io.eimf.model.train.NegativeSampler;
import io.eimf.model.train.ProgressListener;
import io.eimf.model.train.ResumeCheck;
import io.eimf.model.train.TrainOptions;
import io.eimf.model.train.TrainResult;
import io.eimf.model.train.Trainer;
import io.eimf.model.train.TrainingData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.nd4j.linalg.api.buffer.DataType;

/** {@code eimf train}: trains an IBIM backbone with early stopping, tests the best weights, exports the model. */
public final class TrainCommand implements Command {
    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train an IBIM multi-interest model (ComiRec-SA/DR, MIND) with early stopping; export it";
    }

    @Override
    public Options options() {
        TrainOptions d = TrainOptions.defaults();
        return EsimTraining.addOptions(new Options())
                .addOption(Args.option("data", "DIR", "prepared dataset directory (eimf prepare)"))
                .addOption(Args.option("backbone", "NAME", String.join("|", Backbones.NAMES)))
                .addOption(Args.option("out", "DIR", "run directory: model/, metrics.json, checkpoint/"))
                .addOption(Args.option("seed", "N", "training seed (default 1)"))
                .addOption(Args.option("max-len", "N", "history items read (default 20)"))
                .addOption(Args.option("dim", "N", "embedding size d (default 64)"))
                .addOption(Args.option("interests", "K", "interests per user (default 4)"))
                .addOption(Args.option("batch", "N", "batch size (default " + d.batchSize() + ")"))
                .addOption(Args.option("lr", "X", "Adam learning rate (default " + d.learningRate() + ")"))
                .addOption(Args.option("negatives", "N", "shared negatives per batch row (default " + d.negativesPerRow() + ")"))
                .addOption(Args.option("sampler", "NAME", "negative sampler: uniform (with replacement)|uniform-distinct (without)|log-uniform (default uniform)"))
                .addOption(Option.builder().longOpt("keep-accidental-hits")
                        .desc("do not mask negatives that equal the target (masked by default, as TensorFlow does)").get())
                .addOption(Args.option("examples", "NAME", "how batches draw examples: per-user (ComiRec's DataIterator: "
                        + "distinct users, one random cut each; default)|per-interaction (cuts uniform over all training positions)"))
                .addOption(Args.option("init", "NAME", "initial weights: glorot (ComiRec's TensorFlow code, default)|kaiming "
                        + "(its PyTorch port: Kaiming normal on every weight)"))
                .addOption(Args.option("init-std", "X", "item table only: N(0,X) instead of as --init says (default 0: off)"))
                .addOption(Args.option("align", "SIDE", "where histories shorter than --max-len sit: left (ComiRec's "
                        + "layout: position 0 is the oldest item)|right (the last position is always the most recent item); "
                        + "default: " + perBackbone(bd -> bd.alignment().id())))
                .addOption(Args.option("eval-every", "N", "validate every N steps (default " + d.evalEvery() + ")"))
                .addOption(Args.option("patience", "P", "stop after P validations without improvement (default: "
                        + perBackbone(bd -> String.valueOf(bd.patience())) + ")"))
                .addOption(Args.option("max-steps", "N", "most steps (default " + d.maxSteps() + ")"))
                .addOption(Args.option("device", "cpu|cuda", "backend to require (default: the one on the classpath)"))
                .addOption(Args.option("threads", "N", "BLAS threads per step thread (default: ND4J's choice); on shared machines also set OMP_NUM_THREADS=1"))
                .addOption(Args.option("step-threads", "N", "Java threads sharing each training step, each with --threads BLAS threads "
                        + "(default " + d.stepThreads() + ": min(2, processors); 1 = the calling thread only)"))
                .addOption(Option.builder().longOpt("resume").desc("continue from OUT/checkpoint (the same data, seed and "
                        + "options only: what differs is named)").get())
                .addOption(Option.builder().longOpt("no-verify-data").desc("skip recomputing the dataset's content "
                        + "hash against its manifest (the counts are still checked)").get())
                .addOption(Option.builder().longOpt("overwrite").desc("replace an existing run directory").get())
                .addOption(io.eimf.core.cli.Args.option("ann-index", "auto|yes|no", "build the exported model's HNSW "
                        + "retrieval index (as eimf index build, default parameters): no (default: its recall@50 against exact "
                        + "falls below 0.98 from ~300k items, docs/BENCHMARKS.md), yes, or auto (from "
                        + io.eimf.model.inference.AnnIndex.AUTO_MIN_ITEMS + " items up)"));
    }

    /** Checks --device against the backend on the classpath and applies --threads. */
    static void setUpBackend(CommandLine cl, CommandContext ctx) {
        String device = Args.choice(cl, "device", null, "cpu", "cuda");
        if ("cuda".equals(device) && !Backend.isCuda()) {
            throw new EimfException("--device cuda needs the CUDA backend: build with 'mvn -Pcuda' (nd4j-cuda-11.6)");
        }
        if ("cpu".equals(device) && Backend.isCuda()) {
            throw new EimfException("--device cpu, but this build uses the CUDA backend; build without -Pcuda");
        }
        Backend.setThreads(Args.intValue(cl, "threads", 0));
        ctx.err().println("[backend] " + Backend.describe());
    }

    /** A per-backbone default for the help text, e.g. "comirec-sa right, comirec-dr left, mind left". */
    private static String perBackbone(Function<Backbones.Defaults, String> value) {
        return String.join(", ", Backbones.NAMES.stream().map(n -> n + " " + value.apply(Backbones.defaults(n))).toList());
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        Path dataDir = ctx.path(Args.required(cl, "data"));
        String backbone = Args.choice(cl, "backbone", null, Backbones.NAMES.toArray(new String[0]));
        if (backbone == null) throw new UsageException("missing required option --backbone");
        Path out = ctx.path(Args.required(cl, "out"));
        boolean resume = cl.hasOption("resume");
        String annIndex = Args.choice(cl, "ann-index", "no", "auto", "yes", "no");
        long seed = Args.longValue(cl, "seed", 1);
        TrainOptions d = TrainOptions.defaults();
        String sampler = Args.choice(cl, "sampler", NegativeSampler.UNIFORM, NegativeSampler.UNIFORM,
                NegativeSampler.UNIFORM_DISTINCT, NegativeSampler.LOG_UNIFORM);
        if (Args.intValue(cl, "step-threads", 1) < 1) throw new UsageException("--step-threads must be positive");
        TrainOptions o = new TrainOptions(Args.intValue(cl, "batch", d.batchSize()), Args.doubleValue(cl, "lr", d.learningRate()),
                Args.intValue(cl, "negatives", d.negativesPerRow()), sampler, !cl.hasOption("keep-accidental-hits"),
                Args.intValue(cl, "eval-every", d.evalEvery()), Args.intValue(cl, "patience", Backbones.defaults(backbone).patience()),
                Args.longValue(cl, "max-steps", d.maxSteps()), d.metric(), seed, true,
                Args.intValue(cl, "step-threads", d.stepThreads()),
                Args.choice(cl, "examples", d.examples(), TrainingData.EXAMPLES.toArray(String[]::new)));
        Path ckpt = out.resolve("checkpoint");
        if (resume) AtomicOutput.recover(ckpt); // a checkpoint replace cut by a kill leaves the previous one aside
        if (resume && !Files.isDirectory(ckpt)) throw new EimfException(ckpt + ": no checkpoint to resume from");
        if (!resume && Files.exists(out) && !cl.hasOption("overwrite")) {
            throw new EimfException(out + " already exists (pass --overwrite to replace it, or --resume to continue)");
        }
        setUpBackend(cl, ctx);
        PreparedDataset ds = TrainCommand.readDataset(dataDir, !cl.hasOption("no-verify-data"));
        TrainingData data = TrainingData.of(ds);
        if (data.valid().isEmpty()) throw new EimfException(dataDir + ": no validation users (needed for early stopping)");
        IbimConfig cfg;
        try {
            cfg = new IbimConfig(backbone, Args.intValue(cl, "dim", 64), Args.intValue(cl, "interests", 4),
                    Args.intValue(cl, "max-len", 20), ds.numItems(),
                    Args.choice(cl, "init", Init.GLOROT.id(), Init.ids()), Args.doubleValue(cl, "init-std", 0),
                    Args.choice(cl, "align", Backbones.defaults(backbone).alignment().id(), HistoryAlignment.ids()));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        EsimTraining.Prepared esimSetup = EsimTraining.prepare(cl, ctx, ds); // checked before any output
        Map<String, String> identity = runIdentity(ds, seed, cfg, o, esimSetup.info());
        if (resume) {
            List<String> diff = ResumeCheck.check(ckpt, identity);
            if (!diff.isEmpty()) {
                throw new UsageException("--resume: " + ckpt + " is a run with other data or options; differing: "
                        + String.join("; ", diff) + " (resume with the original ones, or start afresh with --overwrite)");
            }
        }
        if (!resume && Files.exists(out)) AtomicOutput.deleteRecursively(out);
        Files.createDirectories(out);
        IbimModel model = new IbimModel(cfg, DataType.FLOAT, seed);
        Trainer trainer = new Trainer(model, data, o).checkpointDir(ckpt).runIdentity(identity)
                .addListener(new ProgressListener(ctx.err(), Duration.ofSeconds(5)));
        Map<String, Object> esim = esimSetup.attach(trainer, cfg.dim(), seed);
        ctx.err().printf(Locale.ROOT, "[train] %s on %s: %d train users, %d valid, %d test, %d items, %,d parameters%n",
                backbone, dataDir, data.numTrainUsers(), data.valid().size(), data.test().size(), ds.numItems(),
                model.params().size());
        TrainResult r;
        try {
            r = resume ? trainer.resume() : trainer.fit();
        } finally {
            trainer.close();
        }

        Map<String, Double> pop = new MostPopular(data.counts()).evaluate(data.test(), 20, 50);
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("protocol", Evaluator.PROTOCOL);
        metrics.put("dataset", datasetInfo(ds));
        metrics.put("backbone", backbone);
        metrics.put("trainingSeed", seed);
        metrics.put("backend", Backend.describe());
        metrics.put("config", cfg);
        metrics.put("options", o);
        metrics.put("esim", esim);
        metrics.put("steps", r.steps());
        metrics.put("bestStep", r.bestStep());
        metrics.put("stoppedEarly", r.stoppedEarly());
        metrics.put("valid", r.bestValid());
        metrics.put("test", r.test());
        metrics.put("mostPopularTest", pop);
        metrics.put("validations", r.validations());
        metrics.put("toolVersion", ToolVersion.get());
        AtomicOutput.text(out.resolve("metrics.json"), Json.pretty(metrics));

        Map<String, Object> prov = new LinkedHashMap<>();
        prov.put("dataset", datasetInfo(ds));
        prov.put("trainingSeed", seed);
        prov.put("options", o);
        prov.put("trainedWithEsim", esim); // lineage only: no ESIM parameter is exported
        prov.put("backend", Backend.describe());
        prov.put("toolVersion", ToolVersion.get());
        prov.put("createdAt", java.time.Instant.now().toString());
        Map<String, Object> mm = new LinkedHashMap<>();
        mm.put("protocol", Evaluator.PROTOCOL);
        mm.put("valid", r.bestValid());
        mm.put("test", r.test());
        ModelDirectory.write(out.resolve("model"), model, ItemVocabulary.of(ds.items()), prov, mm, true);
        if (annIndex.equals("yes") || (annIndex.equals("auto")
                && model.config().numItems() >= io.eimf.model.inference.AnnIndex.AUTO_MIN_ITEMS)) {
            io.eimf.model.inference.AnnIndex ix = ModelDirectory.buildIndex(out.resolve("model"),
                    io.eimf.model.inference.AnnIndex.Params.defaults(), ctx.err());
            ctx.err().println("[train] ANN index " + io.eimf.model.inference.AnnIndex.FILE + " built over "
                    + ix.numItems() + " items and listed in model.json");
        }

        ctx.out().printf(Locale.ROOT, "%s seed %d: best step %d of %d; test (%d users, %s split seed %s, full ranking):%n",
                backbone, seed, r.bestStep(), r.steps(), data.test().size(), ds.manifest().split() == null ? "?" : ds.manifest().split().protocol(),
                ds.manifest().split() == null ? "?" : ds.manifest().split().seed());
        if (!"none".equals(esim.get("mode"))) ctx.out().println("  trained with ESIM auxiliary losses: " + esim.get("mode"));
        printMetrics(ctx, backbone, r.test());
        printMetrics(ctx, "most-popular", pop);
        ctx.out().println("wrote " + out.resolve("metrics.json") + " and " + out.resolve("model"));
        return 0;
    }

    /** What --resume must find unchanged: the dataset content, the seed, the model config, every option, ESIM's. */
    static Map<String, String> runIdentity(PreparedDataset ds, long seed, IbimConfig cfg, TrainOptions o,
                                           Map<String, Object> esim) {
        Map<String, Object> id = new LinkedHashMap<>();
        id.put("dataset", Map.of("contentHash", String.valueOf(ds.manifest().contentHash())));
        id.put("trainingSeed", seed);
        id.put("config", cfg);
        id.put("options", o);
        id.put("esim", esim);
        return ResumeCheck.flatten(id);
    }

    static void printMetrics(CommandContext ctx, String label, Map<String, Double> m) {
        ctx.out().printf(Locale.ROOT, "  %-13s recall@20 %.4f  recall@50 %.4f  hitrate@20 %.4f  hitrate@50 %.4f  ndcg@50 %.4f%n",
                label, m.getOrDefault("recall@20", Double.NaN), m.getOrDefault("recall@50", Double.NaN),
                m.getOrDefault("hitrate@20", Double.NaN), m.getOrDefault("hitrate@50", Double.NaN),
                m.getOrDefault("ndcg@50", Double.NaN));
    }

    static PreparedDataset readDataset(Path dir) {
        return readDataset(dir, false);
    }

    /** Reads a dataset; with {@code verifyHash} its content must hash to its manifest's contentHash. */
    static PreparedDataset readDataset(Path dir, boolean verifyHash) {
        try {
            return PreparedDataset.read(dir, verifyHash);
        } catch (java.io.IOException e) {
            throw new EimfException(e.getMessage(), e);
        }
    }

    static Map<String, Object> datasetInfo(PreparedDataset ds) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dir", ds.dir().toString());
        m.put("contentHash", ds.manifest().contentHash());
        m.put("format", ds.manifest().source() == null ? null : ds.manifest().source().format());
        m.put("splitProtocol", ds.manifest().split() == null ? null : ds.manifest().split().protocol());
        m.put("splitSeed", ds.manifest().split() == null ? null : ds.manifest().split().seed());
        return m;
    }
}
