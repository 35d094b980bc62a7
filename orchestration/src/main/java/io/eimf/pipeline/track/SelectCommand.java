package io.eimf.pipeline.track;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.EimfException;
import io.eimf.core.cli.UsageException;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.json.Json;
import io.eimf.mlflow.cli.Backends;
import io.eimf.mlflow.local.LocalFileStore;
import io.eimf.mlflow.registry.ModelRegistry;
import io.eimf.mlflow.registry.ModelVersionInfo;
import io.eimf.mlflow.tracking.RunTags;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code eimf models select}: picks the better of several tracked training runs by a VALIDATION metric (test
 * metrics are reported, never used to choose), finds the registry version that registered it, and writes
 * {@code version.txt} and {@code selection.json} for a following {@code promote} task.
 */
public final class SelectCommand implements Command {
    @Override
    public String name() {
        return "models select";
    }

    @Override
    public String summary() {
        return "pick the best of several tracked runs by a validation metric and name its registered version";
    }

    @Override
    public Options options() {
        Options o = new Options()
                .addOption(Option.builder().longOpt("candidate").hasArgs().argName("DIR")
                        .desc("output folder of an eimf track task (run.json); repeatable, at least one").get())
                .addOption(Args.option("name", "NAME", "registered model name (required)"))
                .addOption(Args.option("metric", "M", "validation metric to maximise (default recall@50)"))
                .addOption(Args.option("out", "DIR", "where version.txt and selection.json go (required)"));
        return Backends.add(o);
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        String[] cands = cl.getOptionValues("candidate");
        if (cands == null || cands.length == 0) throw new UsageException("give at least one --candidate");
        String name = Args.required(cl, "name");
        String metric = cl.getOptionValue("metric", "recall@50");
        Path out = ctx.path(Args.required(cl, "out"));
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, Object> best = null;
        double bestValue = Double.NEGATIVE_INFINITY;
        LocalFileStore store = Backends.local(cl, ctx);
        try (ModelRegistry reg = Backends.registry(cl, ctx)) {
            List<ModelVersionInfo> versions = reg.versions(name);
            for (String c : cands) {
                if (c.isBlank()) continue; // an optional candidate (e.g. EIMF) that was not produced
                Path runJson = ctx.path(c).resolve("run.json");
                if (!Files.isRegularFile(runJson)) throw new EimfException(runJson + ": missing (not an eimf track output)");
                JsonNode r = Json.mapper().readTree(runJson.toFile());
                String runId = r.path("runId").asText();
                JsonNode v = r.path("valid").get(metric);
                if (v == null || !v.isNumber()) {
                    throw new EimfException(runJson + ": no validation metric '" + metric + "' (has " + r.path("valid") + ")");
                }
                // With a server, the version names the server's copy of the run (register syncs the local run first).
                String serverRunId = serverRunId(store, runId);
                String version = versions.stream().filter(x -> x.runId().equals(runId) || x.source().contains(runId)
                                || (serverRunId != null && x.runId().equals(serverRunId)))
                        .map(ModelVersionInfo::version).reduce((a, b) -> b).orElseThrow(() -> new EimfException(
                                "run " + runId + " (" + runJson + ") is not registered as a version of " + name
                                        + " on " + reg.location() + "; run eimf register first"));
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("runName", r.path("runName").asText());
                row.put("runId", runId);
                row.put("version", version);
                row.put("valid." + metric, v.asDouble());
                row.put("test", Json.mapper().convertValue(r.path("test"), Map.class));
                rows.add(row);
                if (v.asDouble() > bestValue) {
                    bestValue = v.asDouble();
                    best = row;
                }
            }
        }
        if (best == null) throw new UsageException("no candidate given (all --candidate values are empty)");
        Map<String, Object> sel = new LinkedHashMap<>();
        sel.put("model", name);
        sel.put("criterion", "max validation " + metric);
        sel.put("selected", best);
        sel.put("candidates", rows);
        String version = (String) best.get("version");
        AtomicOutput.directory(out, false, tmp -> {
            Files.writeString(tmp.resolve("version.txt"), version + "\n");
            Files.writeString(tmp.resolve("selection.json"), Json.pretty(sel));
        });
        for (Map<String, Object> row : rows) {
            ctx.out().printf(Locale.ROOT, "%s %-12s run %s version %s: validation %s %.4f%n", row == best ? "*" : " ",
                    row.get("runName"), row.get("runId"), row.get("version"), metric, (Double) row.get("valid." + metric));
        }
        ctx.out().println("selected " + name + " version " + version + " (max validation " + metric + ")");
        return 0;
    }

    /** The server run a local run was uploaded to (tag eimf.sync.remote_run_id), or null when local only. */
    private static String serverRunId(LocalFileStore store, String localRunId) throws java.io.IOException {
        if (!store.hasRun(localRunId)) return null;
        return store.readRun(localRunId).tags().get(RunTags.REMOTE_RUN_ID);
    }
}
