/** The {@code eimf pipeline} commands: run, status and list. */
package io.eimf.pipeline.cli;
