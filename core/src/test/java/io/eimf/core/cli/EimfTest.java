package io.eimf.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EimfTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** A command whose behaviour each test picks through its --mode option. */
    static final class Probe implements Command {
        @Override public String name() { return "probe run"; }
        @Override public String summary() { return "test probe"; }
        @Override public Options options() {
            return new Options().addOption(Option.builder().longOpt("mode").hasArg().get());
        }
        @Override public int run(CommandLine cl, CommandContext ctx) throws Exception {
            switch (Args.required(cl, "mode")) {
                case "ok" -> ctx.out().println("fine");
                case "usage" -> throw new UsageException("--mode usage asked for");
                case "fail" -> throw new EimfException("data.csv:3: bad field 'x'");
                case "crash" -> throw new IllegalStateException("wrapper", new java.io.IOException("disk full"));
                default -> { return 7; }
            }
            return 0;
        }
    }

    private int run(String... args) {
        return new Eimf(List.of(new Probe()), new PrintStream(out, true), new PrintStream(err, true)).run(args);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void exitCodes() {
        assertEquals(0, run("probe", "run", "--mode", "ok"));
        assertEquals("fine\n", out.toString(StandardCharsets.UTF_8));
        assertEquals(2, run("probe", "run", "--mode", "usage"));
        assertEquals(2, run("probe", "run"));
        assertTrue(err().contains("missing required option --mode"), err());
        assertEquals(2, run("probe", "run", "--bogus"));
        assertEquals(1, run("probe", "run", "--mode", "fail"));
        assertTrue(err().contains("data.csv:3: bad field 'x'"));
        assertEquals(7, run("probe", "run", "--mode", "other"));
    }

    @Test
    void failuresAreOneLineWithoutVerbose() {
        assertEquals(1, run("probe", "run", "--mode", "crash"));
        String e = err();
        assertEquals(1, e.strip().lines().count(), e);
        assertTrue(e.contains("wrapper"), e);
        assertFalse(e.contains("\tat "), e);
        err.reset();
        assertEquals(1, run("--verbose", "probe", "run", "--mode", "crash"));
        assertTrue(err().contains("\tat "), "stack trace with --verbose");
    }

    @Test
    void helpAndUnknownCommands() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("probe run"));
        assertEquals(0, run("probe", "run", "--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--mode"));
        assertEquals(2, run("nope"));
        assertEquals(2, run("probe"));
        assertTrue(err().contains("needs a subcommand: probe run"), err());
        assertEquals(2, run());
    }

    @Test
    void discoversDataSynthAndRunsIt(@TempDir Path tmp) throws Exception {
        Eimf eimf = new Eimf(Eimf.discover(), new PrintStream(out, true), new PrintStream(err, true));
        Path dir = tmp.resolve("synth");
        assertEquals(0, eimf.run(new String[] {"data", "synth", "--out", dir.toString(), "--users", "20"}), err());
        assertTrue(Files.readString(dir.resolve("movies.csv")).startsWith("movieId,title,genres\n"));
        assertEquals(1, eimf.run(new String[] {"data", "synth", "--out", dir.toString(), "--users", "20"}));
        assertTrue(err().contains("already exists"), err());
        assertEquals(2, eimf.run(new String[] {"data", "synth", "--out", dir.toString(), "--noise", "2"}));
    }
}
