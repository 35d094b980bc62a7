package io.eimf.mlflow.contract;

import io.eimf.mlflow.testing.MlflowDouble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The MLflow contract against the strict in-JVM double: always runs. */
class DoubleContractTest extends MlflowContract {
    private static MlflowDouble server;

    @BeforeAll
    static void start() throws Exception {
        server = new MlflowDouble();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Override
    protected String serverUri() {
        return server.uri();
    }
}
