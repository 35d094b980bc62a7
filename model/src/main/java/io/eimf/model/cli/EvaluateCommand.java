package io.eimf.model.cli;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.EimfException;
import io.eimf.core.cli.UsageException;
import io.eimf.core.dataset.EvaluationCase;
import io.eimf.core.dataset.Item;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.core.dataset.SplitRole;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.json.Json;
import io.eimf.model.baseline.MostPopular;
import io.eimf.model.eval.Evaluator;
import io.eimf.model.export.ModelDirectory;
import io.eimf.model.nn.Backend;
import io.eimf.model.train.TrainingData;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code eimf evaluate}: full-ranking metrics of an exported model (or the MostPopular baseline) on a dataset. */
public final class EvaluateCommand implements Command {
    @Override
    public String name() {
        return "evaluate";
    }

    @Override
    public String summary() {
        return "evaluate an exported IBIM model or the MostPopular baseline (Recall/HitRate/NDCG @20 @50)";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.option("model", "DIR", "exported model directory (RUN/model)"))
                .addOption(Args.option("baseline", "NAME", "evaluate a baseline instead: most-popular"))
                .addOption(Args.option("data", "DIR", "prepared dataset directory"))
                .addOption(Args.option("split", "valid|test", "which evaluation users (default test)"))
                .addOption(Args.option("out", "FILE", "also write the metrics as JSON"))
                .addOption(Args.option("threads", "N", "BLAS/op threads"))
                .addOption(Args.option("device", "cpu|cuda", "backend to require"))
                .addOption(Option.builder().longOpt("exclude-history")
                        .desc("drop each user's history items from its ranking before the cutoff (default: kept, as ComiRec)").get())
                .addOption(Option.builder().longOpt("json").desc("print JSON instead of a table").get());
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        Path dataDir = ctx.path(Args.required(cl, "data"));
        String split = Args.choice(cl, "split", "test", "valid", "test");
        String baseline = Args.choice(cl, "baseline", null, "most-popular");
        if ((baseline == null) == (cl.getOptionValue("model") == null)) {
            throw new UsageException("give exactly one of --model DIR and --baseline most-popular");
        }
        PreparedDataset ds = TrainCommand.readDataset(dataDir);
        List<EvaluationCase> cases = ds.evaluationCases(split.equals("test") ? SplitRole.TEST : SplitRole.VALID);
        if (cases.isEmpty()) throw new EimfException(dataDir + ": no " + split + " users");
        Map<String, Object> out = new LinkedHashMap<>();
        boolean excludeHistory = cl.hasOption("exclude-history");
        String protocol = Evaluator.protocol(excludeHistory);
        out.put("protocol", protocol);
        out.put("dataset", TrainCommand.datasetInfo(ds));
        out.put("split", split);
        out.put("users", cases.size());
        Map<String, Double> metrics;
        String label;
        if (baseline != null) {
            metrics = new MostPopular(TrainingData.of(ds).counts()).evaluate(cases, excludeHistory, 20, 50);
            label = "most-popular";
            out.put("model", "most-popular (training-sequence popularity)");
        } else {
            TrainCommand.setUpBackend(cl, ctx);
            Path modelDir = ctx.path(cl.getOptionValue("model"));
            ModelDirectory.Loaded m;
            try {
                m = ModelDirectory.read(modelDir);
            } catch (java.io.IOException e) {
                throw new EimfException(e.getMessage(), e);
            }
            checkCatalogue(m, ds, modelDir, dataDir);
            metrics = new Evaluator().excludeHistory(excludeHistory).evaluate(m.model(), cases, 20, 50);
            label = m.model().config().backbone();
            out.put("model", modelDir.toString());
            out.put("backbone", label);
            out.put("modelProvenance", m.descriptor().provenance());
            out.put("backend", Backend.describe());
        }
        out.put("metrics", metrics);
        if (cl.getOptionValue("out") != null) AtomicOutput.text(ctx.path(cl.getOptionValue("out")), Json.pretty(out));
        if (cl.hasOption("json")) {
            ctx.out().print(Json.pretty(out));
        } else {
            ctx.out().printf("%s on %s (%s, %d users; %s)%n", label, dataDir, split, cases.size(), protocol);
            TrainCommand.printMetrics(ctx, label, metrics);
        }
        return 0;
    }

    /** The model's dense ids must mean the same items as the dataset's. */
    static void checkCatalogue(ModelDirectory.Loaded m, PreparedDataset ds, Path modelDir, Path dataDir) {
        List<Item> items = ds.items();
        if (items.size() != m.vocabulary().size()) {
            throw new EimfException(modelDir + " has " + m.vocabulary().size() + " items but " + dataDir + " has "
                    + items.size() + ": the model was trained on another catalogue");
        }
        for (Item it : items) {
            if (!it.rawId().equals(m.vocabulary().raw(it.id()))) {
                throw new EimfException(modelDir + ": item " + it.id() + " is raw id '" + m.vocabulary().raw(it.id())
                        + "' but '" + it.rawId() + "' in " + dataDir + ": the model was trained on another catalogue");
            }
        }
    }
}
