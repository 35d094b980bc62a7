/** Resolving {@code models:/NAME@ALIAS} URIs to a verified local copy of the model. */
package io.eimf.mlflow.model;
