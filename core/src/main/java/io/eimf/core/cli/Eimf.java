package io.eimf.core.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/**
 * The {@code eimf} command line: finds every module's {@link Command} through {@link ServiceLoader} and dispatches
 * on the longest matching command name. Exit 0 ok, 1 failure, 2 usage error.
 */
public final class Eimf {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    private final List<Command> commands;
    private final PrintStream out;
    private final PrintStream err;

    public Eimf(List<Command> commands, PrintStream out, PrintStream err) {
        this.commands = new ArrayList<>(commands);
        this.commands.sort(Comparator.comparing(Command::name));
        this.out = out;
        this.err = err;
    }

    /** All commands on the classpath. */
    public static List<Command> discover() {
        List<Command> list = new ArrayList<>();
        ServiceLoader.load(Command.class).forEach(list::add);
        return list;
    }

    public static void main(String[] args) {
        int code = new Eimf(discover(), System.out, System.err).run(args);
        System.out.flush();
        System.exit(code);
    }

    /** Runs one invocation and returns its exit status; never calls System.exit. */
    public int run(String[] args) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        boolean verbose = rest.remove("--verbose") | rest.remove("-v");
        if (rest.isEmpty() || rest.get(0).equals("--help") || rest.get(0).equals("-h") || rest.get(0).equals("help")) {
            if (rest.size() > 1 && rest.get(0).equals("help")) {
                rest = new ArrayList<>(rest.subList(1, rest.size()));
                rest.add("--help");
            } else {
                printCommands(rest.isEmpty() ? err : out);
                return rest.isEmpty() ? USAGE : OK;
            }
        }
        if (rest.get(0).equals("--version")) {
            out.println(io.eimf.core.provenance.ToolVersion.get());
            return OK;
        }
        Command cmd = null;
        int words = 0;
        for (Command c : commands) {
            String[] name = c.name().split(" ");
            if (name.length > words && name.length <= rest.size()
                    && Arrays.equals(name, rest.subList(0, name.length).toArray(new String[0]))) {
                cmd = c;
                words = name.length;
            }
        }
        if (cmd == null) {
            String prefix = rest.get(0);
            List<String> family = commands.stream().map(Command::name).filter(n -> n.startsWith(prefix + " ")).toList();
            if (!family.isEmpty()) {
                err.println("eimf: '" + prefix + "' needs a subcommand: " + String.join(", ", family));
            } else {
                err.println("eimf: unknown command '" + prefix + "' (run 'eimf --help' for the list)");
            }
            return USAGE;
        }
        String[] cmdArgs = rest.subList(words, rest.size()).toArray(new String[0]);
        Options options = cmd.options();
        options.addOption(Option.builder("h").longOpt("help").desc("show this help").get());
        if (Arrays.asList(cmdArgs).contains("--help") || Arrays.asList(cmdArgs).contains("-h")) {
            printHelp(cmd, options, out);
            return OK;
        }
        CommandContext ctx = new CommandContext(out, err, verbose, Path.of("").toAbsolutePath());
        try {
            CommandLine cl = new DefaultParser().parse(options, cmdArgs);
            return cmd.run(cl, ctx);
        } catch (ParseException | UsageException e) {
            err.println("eimf " + cmd.name() + ": " + e.getMessage() + " (see 'eimf " + cmd.name() + " --help')");
            return USAGE;
        } catch (EimfException e) {
            err.println("eimf " + cmd.name() + ": " + e.getMessage());
            if (verbose) e.printStackTrace(err);
            return FAILURE;
        } catch (Throwable e) {
            err.println("eimf " + cmd.name() + ": " + describe(e)
                    + (verbose ? "" : " (run with --verbose for the stack trace)"));
            if (verbose) e.printStackTrace(err);
            return FAILURE;
        }
    }

    /** The innermost useful message of an exception chain, with its type where the message alone is unclear. */
    static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t
                && (t.getMessage() == null || t.getMessage().equals(t.getCause().toString())
                    || t.getClass().getName().startsWith("org.apache.flink"))) {
            t = t.getCause();
        }
        String msg = t.getMessage();
        if (msg == null || msg.isBlank()) return t.getClass().getSimpleName();
        if (t instanceof java.nio.file.NoSuchFileException) return "no such file: " + msg;
        if (t instanceof java.nio.file.FileAlreadyExistsException) return msg;
        return msg;
    }

    private void printCommands(PrintStream ps) {
        ps.println("usage: eimf [--verbose] COMMAND [OPTIONS]   (eimf COMMAND --help for its options)");
        ps.println();
        ps.println("Pipeline: prepare -> cluster -> extract -> train -> evaluate -> register -> serve");
        ps.println();
        int w = commands.stream().mapToInt(c -> c.name().length()).max().orElse(10);
        for (Command c : commands) ps.printf("  %-" + w + "s  %s%n", c.name(), c.summary());
    }

    private static void printHelp(Command cmd, Options options, PrintStream ps) {
        PrintWriter pw = new PrintWriter(ps);
        HelpFormatter f = new HelpFormatter();
        f.setWidth(110);
        f.printHelp(pw, 110, "eimf " + cmd.name() + " [OPTIONS]", cmd.summary(), options, 2, 3, null, false);
        pw.flush();
    }
}
