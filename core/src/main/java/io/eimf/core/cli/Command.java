package io.eimf.core.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * One {@code eimf} subcommand. Each module registers its commands in
 * {@code META-INF/services/io.eimf.core.cli.Command}; the launcher finds them with {@link java.util.ServiceLoader}.
 */
public interface Command {
    /** The words that invoke it, e.g. {@code "prepare"} or {@code "data synth"}. */
    String name();

    /** One line for the command list. */
    String summary();

    /** Its options; {@code --help} and {@code --verbose} are added by the launcher. */
    Options options();

    /**
     * Runs the command.
     *
     * @return the exit status: 0 ok, 1 failure (2 is reserved for usage errors, thrown as {@link UsageException})
     */
    int run(CommandLine cl, CommandContext ctx) throws Exception;
}
