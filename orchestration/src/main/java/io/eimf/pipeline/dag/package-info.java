/** The pipeline's task graph and its parameter templates. */
package io.eimf.pipeline.dag;
