/** Artifacts EIMF logs to MLflow: the MLmodel file, model descriptors and training curves. */
package io.eimf.mlflow.artifacts;
