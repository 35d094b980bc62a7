/** The {@code eimf mlflow} and {@code eimf models} commands. */
package io.eimf.mlflow.cli;
