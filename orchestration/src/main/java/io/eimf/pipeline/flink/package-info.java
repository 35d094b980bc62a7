/** Submitting pipeline tasks to a Flink cluster over its REST API. */
package io.eimf.pipeline.flink;
