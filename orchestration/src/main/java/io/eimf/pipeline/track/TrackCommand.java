package io.eimf.pipeline.track;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.EimfException;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.json.Json;
import io.eimf.core.provenance.ToolVersion;
import io.eimf.mlflow.artifacts.ModelDescriptor;
import io.eimf.mlflow.cli.Backends;
import io.eimf.mlflow.local.RunStatus;
import io.eimf.mlflow.tracking.LlmCost;
import io.eimf.mlflow.tracking.RunTags;
import io.eimf.mlflow.tracking.RunTracker;
import io.eimf.mlflow.tracking.TrackedRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code eimf track}: records a finished training folder ({@code metrics.json} and the exported {@code model/} that
 * {@code eimf train} writes) as an MLflow run: parameters, validation curve, best-validation and test metrics with
 * their protocol, the model with the {@code eimf_ibim} flavor (so {@code eimf register} can register it), and the
 * LLM usage of the extraction that fed it, if given. Writes {@code run_id.txt} and {@code run.json} to --out.
 */
public final class TrackCommand implements Command {
    @Override
    public String name() {
        return "track";
    }

    @Override
    public String summary() {
        return "record a training folder (metrics.json, model/) as an MLflow run with its model, metrics and LLM usage";
    }

    @Override
    public Options options() {
        Options o = new Options()
                .addOption(Args.option("from", "DIR", "training folder written by eimf train (required)"))
                .addOption(Args.option("run-name", "NAME", "MLflow run name (default: the backbone)"))
                .addOption(Args.option("experiment", "NAME", "MLflow experiment (default eimf)"))
                .addOption(Args.option("llm-usage", "MANIFEST",
                        "the semantic-interest dataset manifest.json whose LLM totals the run records"))
                .addOption(Option.builder().longOpt("tag").hasArgs().argName("K=V").desc("extra run tag (repeatable)").get())
                .addOption(Args.option("out", "DIR", "where run_id.txt and run.json go (required)"));
        return Backends.add(o);
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        Path from = ctx.path(Args.required(cl, "from"));
        Path out = ctx.path(Args.required(cl, "out"));
        Path metricsFile = from.resolve("metrics.json");
        Path modelDir = from.resolve("model");
        if (!Files.isRegularFile(metricsFile) || !Files.isRegularFile(modelDir.resolve("model.json"))) {
            throw new EimfException(from + ": not a training folder (expected metrics.json and model/model.json from eimf train)");
        }
        JsonNode m = Json.mapper().readTree(metricsFile.toFile());
        JsonNode model = Json.mapper().readTree(modelDir.resolve("model.json").toFile());
        JsonNode config = model.path("config");
        String backbone = config.path("backbone").asText(m.path("backbone").asText("unknown"));
        Path local = Backends.localDir(cl, ctx);
        RunTracker.Builder b = RunTracker.builder(local).experiment(cl.getOptionValue("experiment", "eimf")).log(ctx.err());
        Backends.server(cl).ifPresent(b::trackingUri);
        String runId;
        Map<String, Object> summary = new LinkedHashMap<>();
        try (RunTracker tracker = b.build();
             TrackedRun run = tracker.startRun(cl.getOptionValue("run-name", backbone))) {
            runId = run.runId();
            run.logConfig(config);
            if (m.has("options")) run.logConfig(m.get("options"));
            run.logParam("training_seed", m.path("trainingSeed").asText());
            run.logParam("steps", m.path("steps").asText());
            run.logParam("best_step", m.path("bestStep").asText());
            JsonNode ds = m.path("dataset");
            if (ds.hasNonNull("contentHash")) run.setTag(RunTags.DATA_HASH, ds.get("contentHash").asText());
            run.setTag(RunTags.BACKEND, m.path("backend").asText("unknown"));
            run.setTag(RunTags.METRIC_VARIANT, m.path("protocol").asText("unknown"));
            run.setTag(RunTags.TOOL_VERSION, ToolVersion.get());
            run.setTag("eimf.training_folder", from.toString());
            String[] tags = cl.getOptionValues("tag");
            if (tags != null) {
                for (String t : tags) {
                    int eq = t.indexOf('=');
                    if (eq <= 0) throw new io.eimf.core.cli.UsageException("--tag expects K=V, got '" + t + "'");
                    run.setTag(t.substring(0, eq), t.substring(eq + 1));
                }
            }
            for (JsonNode v : m.path("validations")) {
                long step = v.path("step").asLong();
                v.path("metrics").fields().forEachRemaining(e -> run.logMetric("valid." + e.getKey(), e.getValue().asDouble(), step));
            }
            long best = m.path("bestStep").asLong();
            Map<String, Double> valid = numbers(m.path("valid"));
            Map<String, Double> test = numbers(m.path("test"));
            valid.forEach((k, v) -> run.logMetric("best_valid." + k, v, best));
            test.forEach((k, v) -> run.logMetric("test." + k, v, best));
            numbers(m.path("mostPopularTest")).forEach((k, v) -> run.logMetric("most_popular_test." + k, v, 0));
            run.logArtifact(metricsFile, "");
            run.logModel(modelDir, "model", new ModelDescriptor(
                    model.path("format").asText("eimf-ibim") + "/" + model.path("formatVersion").asInt(1),
                    "io.eimf.model.inference.Recommender", "1.0.0-M2.1",
                    config.path("interests").asInt(4), config.path("dim").asInt(64), backbone, Map.of(),
                    modelFiles(modelDir, model)));
            if (cl.hasOption("llm-usage")) {
                Path f = ctx.path(cl.getOptionValue("llm-usage"));
                // The semantic-interest dataset's manifest (docs/DATA.md) carries the extraction's LLM totals.
                JsonNode u = Json.mapper().readTree(f.toFile());
                JsonNode t = u.path("totals");
                if (t.isMissingNode()) throw new EimfException(f + ": no 'totals' (not a semantic-interest manifest)");
                LlmCost c = new LlmCost(t.path("llmCalls").asLong(), t.path("cacheHits").asLong(),
                        t.path("promptTokens").asLong(), t.path("completionTokens").asLong(),
                        t.path("wallSeconds").asDouble(), u.path("provider").asText("unknown"), u.path("model").asText(""));
                run.logLlmCost(c);
                summary.put("llm", c);
            }
            run.end(RunStatus.FINISHED);
            summary.put("runId", runId);
            summary.put("runName", cl.getOptionValue("run-name", backbone));
            summary.put("backbone", backbone);
            summary.put("protocol", m.path("protocol").asText());
            summary.put("valid", valid);
            summary.put("test", test);
            summary.put("mlflow", Backends.server(cl).orElse(local.toString()));
        }
        AtomicOutput.directory(out, false, tmp -> {
            Files.writeString(tmp.resolve("run_id.txt"), runId + "\n");
            Files.writeString(tmp.resolve("run.json"), Json.pretty(summary));
        });
        ctx.out().println("recorded " + from + " as MLflow run " + runId + " in " + summary.get("mlflow"));
        return 0;
    }

    /** model.json's {@code files} map (empty for a format-1 model), which the logged copy must match. */
    static Map<String, io.eimf.core.io.FileManifest.Entry> modelFiles(Path modelDir, JsonNode model) {
        try {
            return io.eimf.core.io.FileManifest.parse(model.has("files") ? Json.mapper().convertValue(model.get("files"),
                    Map.class) : null).orElse(Map.of());
        } catch (IllegalArgumentException e) {
            throw new EimfException(modelDir.resolve("model.json") + ": " + e.getMessage());
        }
    }

    static Map<String, Double> numbers(JsonNode n) {
        Map<String, Double> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> {
            if (e.getValue().isNumber()) out.put(e.getKey(), e.getValue().asDouble());
        });
        return out;
    }
}
