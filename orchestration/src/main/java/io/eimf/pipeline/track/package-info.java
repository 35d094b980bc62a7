/** Recording a training folder as an MLflow run and selecting the best run. */
package io.eimf.pipeline.track;
