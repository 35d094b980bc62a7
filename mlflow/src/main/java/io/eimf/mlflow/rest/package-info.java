/** MLflow's REST API over HTTP: the client, its retry policy and tracking URIs. */
package io.eimf.mlflow.rest;
