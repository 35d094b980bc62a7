package io.eimf.flink.format;

import io.eimf.core.cli.EimfException;
import io.eimf.core.cli.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** The registry of input formats and the file-finding helpers they share. */
public final class Formats {
    /** Every format name {@code --format} accepts. */
    public static final List<String> NAMES = List.of("ml-100k", "ml-1m", "ml-10m", "ml-latest", "amazon-2014",
            "amazon-2018", "csv", "seq-txt");

    private Formats() {}

    /**
     * The format called {@code name}. {@code csv} needs its column mapping: {@code columns}, {@code delimiter} and
     * {@code header} are ignored by the others.
     */
    public static SourceFormat of(String name, String columns, String delimiter, boolean header, Path input) {
        return switch (name) {
            case "ml-100k" -> new MovieLens100k();
            case "ml-1m", "ml-10m" -> new MovieLensDat(name);
            case "ml-latest" -> new MovieLensLatest();
            case "amazon-2014" -> new Amazon(Amazon.Edition.V2014);
            case "amazon-2018" -> new Amazon(Amazon.Edition.V2018);
            case "csv" -> GenericCsv.resolve(columns, delimiter, header, input);
            case "seq-txt" -> new SeqTxt();
            default -> throw new UsageException("unknown format '" + name + "' (one of " + String.join(", ", NAMES) + ")");
        };
    }

    /** {@code dir/name}, or a clear error naming the format and the folder. */
    static Path required(String format, Path input, String name) {
        Path p = Files.isDirectory(input) ? input.resolve(name) : input;
        if (!Files.isRegularFile(p)) {
            throw new EimfException(format + ": " + name + " not found in " + input);
        }
        return p;
    }

    /** {@code dir/name} if it exists. */
    static List<Path> optional(Path input, String name) {
        if (!Files.isDirectory(input)) return List.of();
        Path p = input.resolve(name);
        return Files.isRegularFile(p) ? List.of(p) : List.of();
    }

    /** Regular files directly in {@code input} (or {@code input} itself) accepted by {@code filter}, sorted by name. */
    static List<Path> matching(Path input, java.util.function.Predicate<String> filter) {
        if (Files.isRegularFile(input)) return filter.test(input.getFileName().toString()) ? List.of(input) : List.of();
        if (!Files.isDirectory(input)) throw new EimfException("input " + input + " does not exist");
        try (Stream<Path> s = Files.list(input)) {
            List<Path> out = new ArrayList<>();
            s.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString();
                return !n.startsWith(".") && filter.test(n);
            }).sorted().forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new EimfException("cannot list " + input + ": " + e.getMessage(), e);
        }
    }

    /** Lower-case file name without a trailing .gz. */
    static String baseName(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        return n.endsWith(".gz") ? n.substring(0, n.length() - 3) : n;
    }

    /** Parses a long field, naming it in the error. */
    static long parseLong(String s, String field) throws BadLineException {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new BadLineException(field + " is not an integer: '" + s + "'");
        }
    }

    /** Parses a rating (or any decimal) field, naming it in the error. */
    static double parseDouble(String s, String field) throws BadLineException {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new BadLineException(field + " is not a number: '" + s + "'");
        }
    }

    /** A non-empty id field. */
    static String id(String s, String field) throws BadLineException {
        String t = s.trim();
        if (t.isEmpty()) throw new BadLineException(field + " is empty");
        return t;
    }

    /** Manifest options of formats that have none. */
}
