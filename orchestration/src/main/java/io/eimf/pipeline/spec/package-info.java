/** The pipeline's YAML specification: tasks, resources and isolation. */
package io.eimf.pipeline.spec;
