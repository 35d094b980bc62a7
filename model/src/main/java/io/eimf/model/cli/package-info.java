/** The {@code train}, {@code evaluate} and {@code recommend} commands. */
package io.eimf.model.cli;
