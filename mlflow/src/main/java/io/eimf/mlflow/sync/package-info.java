/** Uploading offline runs from the local store to a tracking server, idempotently. */
package io.eimf.mlflow.sync;
