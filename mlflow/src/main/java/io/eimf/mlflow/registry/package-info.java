/** The model registry (local or remote), aliases and gated promotion. */
package io.eimf.mlflow.registry;
