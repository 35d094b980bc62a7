package io.eimf.mlflow.realserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.eimf.core.testing.RealSystems;
import io.eimf.mlflow.registry.ModelVersionInfo;
import io.eimf.mlflow.registry.RemoteModelRegistry;
import io.eimf.mlflow.rest.MlflowServer;
import io.eimf.mlflow.testing.Fixtures;
import io.eimf.mlflow.testing.Fixtures.CliResult;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;

/**
 * EIMF against MLflow on the backend of docker-compose.yml: a real MLflow 3.x server whose backend store is a real
 * PostgreSQL database ({@code --backend-store-uri postgresql://...}, {@code --serve-artifacts}), started by
 * {@code .ci/services/10-postgres.sh} and {@code 30-mlflow-postgres.sh}. Runs, metrics, the registered model and
 * its alias go in through the product's paths and come back through the API, and MLflow's own tables in Postgres
 * are read to show they landed there.
 */
class PostgresBackendITCase {
    @TempDir
    Path tmp;

    @Test
    void runsMetricsModelAndAliasRoundTripThroughAPostgresBackedServer() throws Exception {
        String uri = RealSystems.env("EIMF_MLFLOW_PG_TEST_URI", "MLflow server on PostgreSQL: source .ci/lib.sh; "
                + "source .ci/services/10-postgres.sh; source .ci/services/30-mlflow-postgres.sh");
        String pg = RealSystems.env("EIMF_PG_MLFLOW_URI", "its Postgres database (.ci/services/10-postgres.sh)");
        String unique = UUID.randomUUID().toString().substring(0, 8);
        PublishedRuns p = PublishedRuns.publish(uri, tmp, unique);
        assertEquals(Set.of("ibim", "ibim-eval", "eimf", "eimf-eval"), p.runIds().keySet());

        try (MlflowServer s = new MlflowServer(uri); MlflowClient c = new MlflowClient(uri);
             RemoteModelRegistry reg = new RemoteModelRegistry(new MlflowServer(uri))) {
            for (String name : new String[] {"ibim", "eimf"}) {
                Service.Run r = s.getRun(p.runIds().get(name));
                assertEquals(Service.RunStatus.FINISHED, r.getInfo().getStatus(), name);
                Map<String, Double> metrics = new HashMap<>();
                r.getData().getMetricsList().forEach(m -> metrics.put(m.getKey(), m.getValue()));
                assertEquals(p.recall50().get(name), metrics.get("test.recall_at_50"), 1e-12, name);
                assertEquals(3, c.getMetricHistory(p.runIds().get(name), "test.recall_at_50").size(), name);
            }
            ModelVersionInfo champion = reg.byAlias(p.model(), "champion").orElseThrow();
            assertEquals("1", champion.version());
            assertEquals(p.runIds().get("eimf"), champion.runId());
            // The artifact proxy serves the model's bytes back from the server's artifact store (under the logged
            // model on MLflow 3, under the run on 2.x: the registry's download URI says which).
            Path back = tmp.resolve("champion-model");
            reg.download(champion, back, io.eimf.mlflow.registry.DownloadLimits.defaults());
            assertArrayEquals(Files.readAllBytes(tmp.resolve("eimf-model/weights/item_embeddings.bin")),
                    Files.readAllBytes(back.resolve("weights/item_embeddings.bin")));
        }
        CliResult resolved = Fixtures.eimf("models", "resolve", "models:/" + p.model() + "@champion",
                "--tracking-uri", uri);
        assertEquals(0, resolved.exit(), resolved.out() + resolved.err());

        // The same facts, read from MLflow's tables in the Postgres database the server was started on.
        URI db = URI.create(pg);
        String[] cred = db.getUserInfo().split(":", 2);
        try (Connection conn = DriverManager.getConnection("jdbc:postgresql://" + db.getHost() + ":" + db.getPort()
                + db.getPath(), cred[0], cred[1])) {
            Map<String, Double> rows = new HashMap<>();
            try (PreparedStatement ps = conn.prepareStatement("SELECT r.name, m.value FROM runs r "
                    + "JOIN experiments e ON e.experiment_id = r.experiment_id "
                    + "JOIN latest_metrics m ON m.run_uuid = r.run_uuid AND m.key = 'test.recall_at_50' "
                    + "WHERE e.name = ?")) {
                ps.setString(1, p.experiment());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) rows.put(rs.getString(1), rs.getDouble(2));
                }
            }
            assertEquals(Set.of("ibim", "ibim-eval", "eimf", "eimf-eval"), rows.keySet());
            assertEquals(p.recall50().get("eimf"), rows.get("eimf"), 1e-12);
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT version FROM registered_model_aliases WHERE name = ? AND alias = 'champion'")) {
                ps.setString(1, p.model());
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next(), "alias row in Postgres");
                    assertEquals(1, rs.getInt(1));
                }
            }
        }
    }
}
