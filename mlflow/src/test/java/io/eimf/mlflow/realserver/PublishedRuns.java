package io.eimf.mlflow.realserver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.eimf.mlflow.testing.Fixtures;
import io.eimf.mlflow.testing.Fixtures.CliResult;
import io.eimf.mlflow.tracking.RunTracker;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;

/**
 * Puts on a real server what an EIMF deployment puts there, through the product's own paths: run {@code ibim}
 * tracked live ({@link RunTracker} with a tracking URI), run {@code eimf} recorded offline and uploaded with
 * {@code eimf mlflow sync}, {@code eimf register} of the eimf run's model and {@code eimf promote --alias champion}
 * behind a Recall@50 gate.
 *
 * @param experiment     experiment name (unique per call)
 * @param experimentId   its id on the server
 * @param runIds         server run id by run name ({@code ibim}, {@code eimf} and their nested eval runs)
 * @param model          registered model name (unique per call)
 * @param recall50       final {@code test.recall@50} by run name
 */
record PublishedRuns(String experiment, String experimentId, Map<String, String> runIds, String model,
                     Map<String, Double> recall50) {

    static PublishedRuns publish(String uri, Path tmp, String unique) throws Exception {
        String experiment = "eimf-" + unique;
        Map<String, Double> recall = Map.of("ibim", 0.212, "eimf", 0.265);
        try (RunTracker live = RunTracker.builder(tmp.resolve("live")).trackingUri(uri).experiment(experiment)
                .flushInterval(Duration.ZERO).log(new PrintStream(PrintStream.nullOutputStream())).build()) {
            Fixtures.trainingRun(live, "ibim", recall.get("ibim"), tmp);
        }
        Path offline = tmp.resolve("offline");
        String eimfLocal;
        try (RunTracker t = RunTracker.builder(offline).experiment(experiment).build()) {
            eimfLocal = Fixtures.trainingRun(t, "eimf", recall.get("eimf"), tmp).runId();
        }
        ok(Fixtures.eimf("mlflow", "sync", "--local", offline.toString(), "--tracking-uri", uri));
        String model = "eimf-" + unique;
        ok(Fixtures.eimf("register", "--local", offline.toString(), "--tracking-uri", uri, "--run-id", eimfLocal,
                "--name", model));
        ok(Fixtures.eimf("promote", "--tracking-uri", uri, "--name", model, "--version", "1", "--alias", "champion",
                "--require", "test.recall@50>=0.25"));
        try (MlflowClient c = new MlflowClient(uri)) {
            String expId = c.getExperimentByName(experiment).orElseThrow().getExperimentId();
            Map<String, String> ids = c.searchRuns(List.of(expId), "").stream()
                    .collect(Collectors.toMap(Service.RunInfo::getRunName, Service.RunInfo::getRunId));
            return new PublishedRuns(experiment, expId, ids, model, recall);
        }
    }

    private static void ok(CliResult r) {
        assertEquals(0, r.exit(), r.out() + r.err());
    }
}
