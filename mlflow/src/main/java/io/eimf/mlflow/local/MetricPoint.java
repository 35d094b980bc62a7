package io.eimf.mlflow.local;

/** One logged metric value: MLflow's (key, value, timestamp in epoch ms, step). */
public record MetricPoint(String key, double value, long timestamp, long step) {}
