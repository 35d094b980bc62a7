/** The pipeline runner: executors (in-process, child process), task state, logs and resume. */
package io.eimf.pipeline.run;
