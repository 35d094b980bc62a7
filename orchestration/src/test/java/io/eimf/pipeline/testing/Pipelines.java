package io.eimf.pipeline.testing;

import io.eimf.core.cli.Eimf;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Helpers for pipeline tests: run the command line in-process, count marker files. */
public final class Pipelines {
    private Pipelines() {}

    /** Result of one in-process {@code eimf} invocation. */
    public record Run(int code, String out, String err) {}

    public static Run eimf(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Eimf(Eimf.discover(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** How many times task {@code name} started (what = "start") or finished (what = "done"). */
    public static long count(Path markers, String name, String what) throws IOException {
        if (!Files.isDirectory(markers)) return 0;
        try (Stream<Path> s = Files.list(markers)) {
            return s.filter(p -> p.getFileName().toString().startsWith(name + "." + what + ".")).count();
        }
    }

    public static Path write(Path dir, String name, String yaml) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, yaml);
        return p;
    }
}
