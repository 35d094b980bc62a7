/** Run tracking: runs, params, metrics, tags, LLM cost and nested runs. */
package io.eimf.mlflow.tracking;
