package io.eimf.mlflow.contract;

import io.eimf.core.testing.RealSystems;
import org.junit.jupiter.api.Nested;

/**
 * The MLflow contract against both real MLflow servers that {@code .ci/services/20-mlflow.sh} starts from PyPI
 * (SQLite backend store, {@code --serve-artifacts}): the newest 3.x at {@code EIMF_MLFLOW_TEST_URI} and the 2.x line
 * of our Java client at {@code EIMF_MLFLOW2_TEST_URI}. Missing servers skip locally and fail under CI=true.
 */
class RealServerContractITCase {
    /** MLflow 3.x, what users run now. */
    @Nested
    class Mlflow3 extends MlflowContract {
        @Override
        protected String serverUri() {
            return RealSystems.env("EIMF_MLFLOW_TEST_URI", "MLflow 3.x server (source .ci/services/20-mlflow.sh)");
        }

        @Override
        protected boolean mlflow3() {
            return true;
        }
    }

    /** MLflow 2.x, the line of the mlflow-client library. */
    @Nested
    class Mlflow2 extends MlflowContract {
        @Override
        protected String serverUri() {
            return RealSystems.env("EIMF_MLFLOW2_TEST_URI", "MLflow 2.x server (source .ci/services/20-mlflow.sh)");
        }
    }
}
