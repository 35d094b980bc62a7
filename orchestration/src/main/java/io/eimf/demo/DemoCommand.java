package io.eimf.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.UsageException;
import io.eimf.core.json.Json;
import io.eimf.pipeline.run.PipelineRunner;
import io.eimf.pipeline.run.RunOptions;
import io.eimf.pipeline.run.TaskResult;
import io.eimf.pipeline.run.TaskState;
import io.eimf.pipeline.spec.PipelineSpec;
import io.eimf.pipeline.spec.PipelineSpecReader;
import io.eimf.pipeline.spec.Resources;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * {@code eimf demo}: runs the bundled demo pipeline (pipelines/demo.yaml) on embedded defaults (Flink mini-cluster,
 * in-process llm-service with the metadata provider, a local MLflow store in the work folder) and prints one table:
 * both models' metrics with their protocol, MLflow run ids, the registered version and alias, LLM calls and cache
 * hits. Re-running reuses every finished task.
 */
public final class DemoCommand implements Command {
    static final String PIPELINE = "pipelines/demo.yaml";

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "run the whole pipeline on synthetic data (or MovieLens 100K) and print both models' results";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.option("data", "NAME", "synth (default) or ml-100k"))
                .addOption(Args.option("input", "DIR", "MovieLens 100K folder for --data ml-100k"))
                .addOption(Args.option("users", "N", "synthetic users (default 600)"))
                .addOption(Args.option("steps", "N", "most training steps (default 300)"))
                .addOption(Args.option("backbone", "B", "comirec-sa (default), comirec-dr or mind"))
                .addOption(Args.option("work", "DIR", "work folder (default eimf-work)"))
                .addOption(Args.option("resources", "SPEC", "pool, e.g. cpu=2,memory=8g"))
                .addOption(Args.option("llm-url", "URL",
                        "a running llm-service (default: in-process, metadata provider)"))
                .addOption(Args.option("tracking-uri", "URL",
                        "an MLflow server (default: local store in the work folder)"))
                .addOption(Args.option("flink-url", "URL", "a Flink cluster's REST API (default: mini-cluster)"));
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        String data = Args.choice(cl, "data", "synth", "synth", "ml-100k");
        if (data.equals("ml-100k") && !cl.hasOption("input")) {
            throw new UsageException("--data ml-100k needs --input DIR (the folder with u.data and u.item)");
        }
        PipelineSpec spec = PipelineSpecReader.readResource(PIPELINE);
        Path work = ctx.path(cl.getOptionValue("work", "eimf-work"));
        RunOptions opts = new RunOptions(work)
                .pool(Resources.parse(cl.getOptionValue("resources"), Resources.ofThisMachine()))
                .heartbeat(Duration.ofSeconds(15))
                .progress(ctx.err())
                .param("data", data)
                .param("input", cl.hasOption("input") ? ctx.path(cl.getOptionValue("input")).toString() : "")
                .param("users", Integer.toString(Args.intValue(cl, "users", 600)))
                .param("steps", Integer.toString(Args.intValue(cl, "steps", 300)))
                .param("backbone", Args.choice(cl, "backbone", "comirec-sa", "comirec-sa", "comirec-dr", "mind"))
                .param("llm_url", cl.getOptionValue("llm-url", ""))
                .param("tracking", cl.getOptionValue("tracking-uri", ""));
        if (cl.hasOption("flink-url")) opts.flinkUrl(cl.getOptionValue("flink-url"));
        long t0 = System.nanoTime();
        PipelineRunner.Report report = new PipelineRunner(spec, opts).run();
        ctx.out().println();
        ctx.out().print(PipelineRunner.table(report));
        ctx.out().println();
        printSummary(report, data, work, cl, (System.nanoTime() - t0) / 1e9, ctx.out());
        return report.ok() ? 0 : 1;
    }

    private static JsonNode json(Map<String, TaskResult> results, String task, String file) {
        TaskResult r = results.get(task);
        if (r == null) return null;
        Path p = r.output().resolve(file);
        try {
            return Files.isRegularFile(p) ? Json.mapper().readTree(p.toFile()) : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** The closing table. Every number names its protocol; missing parts say why they are missing. */
    static void printSummary(PipelineRunner.Report report, String data, Path work, CommandLine cl, double secs,
                             PrintStream out) {
        Map<String, TaskResult> res = report.results();
        Map<String, TaskState> st = report.tasks();
        JsonNode ibim = json(res, "track-ibim", "run.json");
        JsonNode eimf = json(res, "track-eimf", "run.json");
        JsonNode sel = json(res, "select", "selection.json");
        String protocol = ibim != null ? ibim.path("protocol").asText() : eimf != null ? eimf.path("protocol").asText() : "?";
        out.printf(Locale.ROOT, "EIMF demo on %s in %.0fs (work folder %s)%n", data.equals("synth")
                ? "synthetic users with planted interests (" + cl.getOptionValue("users", "600") + " users)"
                : "MovieLens 100K", secs, work);
        out.println("protocol: " + protocol + "; test metrics on held-out test users, model chosen on validation");
        out.printf(Locale.ROOT, "%-5s  %-34s  %10s  %10s  %10s  %10s  %10s  %s%n", "model", "MLflow run", "valid R@50",
                "test R@20", "test R@50", "test HR@50", "test N@50", "registry");
        row(out, "IBIM", ibim, sel, st.get("train-ibim"), st);
        row(out, "EIMF", eimf, sel, st.get("train-eimf"), st);
        JsonNode llm = eimf != null ? eimf.get("llm") : null;
        if (llm != null) {
            out.printf(Locale.ROOT, "LLM (ESIM interest naming): %d calls, %d cache hits, %d prompt + %d completion tokens, provider %s%n",
                    llm.path("calls").asLong(), llm.path("cacheHits").asLong(), llm.path("promptTokens").asLong(),
                    llm.path("completionTokens").asLong(), llm.path("provider").asText()
                            + ("metadata".equals(llm.path("provider").asText()) ? " (deterministic extractor, not an LLM)" : ""));
        } else {
            out.println("LLM (ESIM interest naming): no calls: " + rootCause(st, "extract"));
        }
        if (sel != null) {
            JsonNode s = sel.path("selected");
            String where = cl.hasOption("tracking-uri") ? cl.getOptionValue("tracking-uri") : work.resolve("mlruns").toString();
            out.printf("champion: models:/%s@champion -> version %s (%s, %s) in %s%n", sel.path("model").asText(),
                    s.path("version").asText(), s.path("runName").asText(), sel.path("criterion").asText(), where);
            out.println("serve it: eimf serve --model models:/" + sel.path("model").asText() + "@champion"
                    + (cl.hasOption("tracking-uri") ? " --tracking-uri " + where : " --local " + where) + " --port 8000");
        } else {
            out.println("champion: not promoted: " + rootCause(st, "select"));
        }
    }

    private static void row(PrintStream out, String label, JsonNode run, JsonNode sel, TaskState train,
                            Map<String, TaskState> st) {
        if (run == null) {
            out.printf("%-5s  unavailable: %s%n", label, train == null ? "not in this pipeline" : rootCause(st, train.id()));
            return;
        }
        JsonNode v = run.path("valid");
        JsonNode t = run.path("test");
        String reg = "";
        if (sel != null) {
            for (JsonNode c : sel.path("candidates")) {
                if (c.path("runId").asText().equals(run.path("runId").asText())) {
                    reg = "version " + c.path("version").asText()
                            + (sel.path("selected").path("runId").asText().equals(c.path("runId").asText()) ? " @champion" : "");
                }
            }
        }
        out.printf(Locale.ROOT, "%-5s  %-34s  %10.4f  %10.4f  %10.4f  %10.4f  %10.4f  %s%n", label, run.path("runId").asText(),
                v.path("recall@50").asDouble(Double.NaN), t.path("recall@20").asDouble(Double.NaN),
                t.path("recall@50").asDouble(Double.NaN), t.path("hitrate@50").asDouble(Double.NaN),
                t.path("ndcg@50").asDouble(Double.NaN), reg);
    }

    private static String why(TaskState s) {
        if (s == null) return "task not run";
        if (s.error() != null) return "task " + s.id() + " " + s.state() + ": " + s.error();
        return "task " + s.id() + " " + s.state();
    }

    /** Follows "upstream task 'x' failed" back to the task that actually failed, and says why it did. */
    static String rootCause(Map<String, TaskState> st, String id) {
        TaskState s = st.get(id);
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (s != null && s.state().equals("skipped") && s.error() != null && seen.add(s.id())) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("upstream task '([^']+)'").matcher(s.error());
            if (!m.find()) break;
            s = st.get(m.group(1));
        }
        if (s == null) return "task " + id + " not run";
        if (s.id().equals(id)) return why(s);
        return "task " + id + " needs " + s.id() + ", which " + s.state() + (s.error() != null ? ": " + s.error() : "");
    }
}
