/** The {@code eimf} command framework: commands, option helpers, the dispatcher and its exit codes. */
package io.eimf.core.cli;
