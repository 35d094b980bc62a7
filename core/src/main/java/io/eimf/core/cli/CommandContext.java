package io.eimf.core.cli;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * What a command may use besides its options.
 *
 * @param out results (tables, paths) go here
 * @param err progress and warnings go here
 * @param verbose whether --verbose was given
 * @param workDir the directory relative paths resolve against
 */
public record CommandContext(PrintStream out, PrintStream err, boolean verbose, Path workDir) {
    /** Resolves a user-given path against the working directory. */
    public Path path(String p) {
        return workDir.resolve(p).normalize();
    }
}
