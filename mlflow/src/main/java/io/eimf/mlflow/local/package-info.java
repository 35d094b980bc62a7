/** MLflow's tracking file-store layout, written when no server is configured. */
package io.eimf.mlflow.local;
