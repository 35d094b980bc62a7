/** The llm-service's counters and latency histograms served on {@code /metrics}. */
package io.eimf.llm.metrics;
