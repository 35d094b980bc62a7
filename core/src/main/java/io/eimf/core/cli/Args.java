package io.eimf.core.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;

/** Option declarations and typed option values with usage errors that name the option. */
public final class Args {
    private Args() {}

    /** A {@code --name VALUE} option; {@code argName} is how the help shows the value. */
    public static Option option(String name, String argName, String desc) {
        return Option.builder().longOpt(name).hasArg().argName(argName).desc(desc).get();
    }

    /** A {@code --name VALUE} option whose help shows the value as {@code <arg>}. */
    public static Option option(String name, String desc) {
        return Option.builder().longOpt(name).hasArg().desc(desc).get();
    }

    /** A {@code --name VALUE} option that must be given; {@code argName} is how the help shows the value. */
    public static Option requiredOption(String name, String argName, String desc) {
        return Option.builder().longOpt(name).hasArg().argName(argName).required().desc(desc).get();
    }

    /** A required string option. */
    public static String required(CommandLine cl, String opt) {
        String v = cl.getOptionValue(opt);
        if (v == null) throw new UsageException("missing required option --" + opt);
        return v;
    }

    /** An integer option with a default. */
    public static int intValue(CommandLine cl, String opt, int def) {
        String v = cl.getOptionValue(opt);
        if (v == null) return def;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + opt + " must be an integer, got '" + v + "'");
        }
    }

    /** A long option with a default. */
    public static long longValue(CommandLine cl, String opt, long def) {
        String v = cl.getOptionValue(opt);
        if (v == null) return def;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + opt + " must be an integer, got '" + v + "'");
        }
    }

    /** A floating-point option with a default. */
    public static double doubleValue(CommandLine cl, String opt, double def) {
        String v = cl.getOptionValue(opt);
        if (v == null) return def;
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + opt + " must be a number, got '" + v + "'");
        }
    }

    /** A string option restricted to {@code allowed}. */
    public static String choice(CommandLine cl, String opt, String def, String... allowed) {
        String v = cl.getOptionValue(opt, def);
        if (v == null) return null;
        for (String a : allowed) if (a.equals(v)) return v;
        throw new UsageException("--" + opt + " must be one of " + String.join("|", allowed) + ", got '" + v + "'");
    }
}
