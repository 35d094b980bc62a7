package io.eimf.mlflow.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eimf.core.cli.Eimf;
import io.eimf.core.json.Json;
import io.eimf.mlflow.artifacts.ModelDescriptor;
import io.eimf.mlflow.tracking.RunTags;
import io.eimf.mlflow.tracking.RunTracker;
import io.eimf.mlflow.tracking.TrackedRun;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/** Shared test material: a fake IBIM model folder, a recorded training run, and running eimf commands. */
public final class Fixtures {
    private Fixtures() {}

    /** The descriptor the model module would hand over. */
    public static final ModelDescriptor DESCRIPTOR = new ModelDescriptor("eimf-ibim/1", "io.eimf.model.IbimModel",
            "1.0.0-M2.1", 4, 32, "ComiRec-SA", Map.of("num_items", "1682"));

    /** A model folder with random "weights" and a small config, as the model module writes one. */
    public static Path modelFolder(Path dir, long seed) throws IOException {
        Files.createDirectories(dir.resolve("weights"));
        byte[] w = new byte[70_000];
        new Random(seed).nextBytes(w);
        Files.write(dir.resolve("weights").resolve("item_embeddings.bin"), w);
        Files.writeString(dir.resolve("model.json"), "{\"K\":4,\"d\":32,\"backbone\":\"ComiRec-SA\"}\n");
        return dir;
    }

    /**
     * Records a finished training run: whole config as params, three evaluation steps of loss and
     * Recall/HitRate/NDCG@20/@50 ending at {@code finalRecall50}, tags, LLM cost, metrics JSON, curves, the model,
     * and one nested evaluation run.
     */
    public static TrackedRun trainingRun(RunTracker t, String name, double finalRecall50, Path scratch) throws IOException {
        TrackedRun run = t.startRun(name, Map.of(RunTags.DATA_HASH, "sha256:abc123", RunTags.BACKEND, "nd4j-native",
                RunTags.METRIC_VARIANT, "full-ranking"), null);
        ObjectNode cfg = Json.mapper().createObjectNode();
        cfg.putObject("model").put("backbone", "ComiRec-SA").put("K", 4).put("d", 32);
        cfg.putObject("train").put("lr", 0.001).put("epochs", 3).putArray("losses").add("bpr").add("align");
        run.logConfig(cfg);
        for (int step = 1; step <= 3; step++) {
            double f = step / 3.0;
            run.logMetric("train.loss", 2.0 / step, step);
            run.logMetrics(Map.of("test.recall@20", finalRecall50 * 0.7 * f, "test.recall@50", finalRecall50 * f,
                    "test.hit_rate@50", Math.min(1, finalRecall50 * 2 * f), "test.ndcg@50", finalRecall50 * 0.5 * f), step);
        }
        run.logLlmCost(new io.eimf.mlflow.tracking.LlmCost(120, 30, 50_000, 8_000, 42.5, "llama.cpp", "llama-2-tiny"));
        run.logJson("metrics.json", Map.of("test.recall@50", finalRecall50, "protocol", "full-ranking"));
        run.logTrainingCurves("curves");
        run.logModel(modelFolder(scratch.resolve(name + "-model"), name.hashCode()), "model", DESCRIPTOR);
        try (TrackedRun eval = run.startChild(name + "-eval")) {
            eval.logMetric("test.recall@50", finalRecall50, 0);
        }
        run.close();
        return run;
    }

    /** Output of one eimf invocation. */
    public record CliResult(int exit, String out, String err) {}

    /** Runs {@code eimf args...} in-process. */
    public static CliResult eimf(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Eimf(Eimf.discover(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new CliResult(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
