package io.eimf.flink.format;

import io.eimf.core.cli.EimfException;
import io.eimf.core.cli.UsageException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Delimited text with a column mapping: {@code --columns user=COL,item=COL[,time=COL][,rating=COL]} where COL is a
 * 1-based column number or, with {@code --header}, a header name. Quoted fields follow RFC 4180 within a line. Without
 * a time column the input order is the time order (timestamps are 0).
 */
public final class GenericCsv implements SourceFormat {
    private final char delimiter;
    private final boolean header;
    private final int user;
    private final int item;
    private final int time;
    private final int rating;
    private final int width;
    private final Map<String, String> options;

    private GenericCsv(char delimiter, boolean header, int user, int item, int time, int rating,
                       Map<String, String> options) {
        this.delimiter = delimiter;
        this.header = header;
        this.user = user;
        this.item = item;
        this.time = time;
        this.rating = rating;
        this.width = Math.max(Math.max(user, item), Math.max(time, rating)) + 1;
        this.options = options;
    }

    /** Resolves the column mapping (reading the header of the first file when names are used). */
    public static GenericCsv resolve(String columns, String delimiter, boolean header, Path input) {
        if (columns == null || columns.isBlank()) {
            throw new UsageException("--format csv needs --columns user=COL,item=COL[,time=COL][,rating=COL]");
        }
        char delim = delimiter(delimiter);
        Map<String, String> spec = new LinkedHashMap<>();
        for (String part : columns.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) throw new UsageException("--columns: expected name=COL, got '" + part + "'");
            String key = part.substring(0, eq).trim();
            if (!List.of("user", "item", "time", "rating").contains(key)) {
                throw new UsageException("--columns: unknown column role '" + key + "' (user, item, time, rating)");
            }
            spec.put(key, part.substring(eq + 1).trim());
        }
        if (!spec.containsKey("user") || !spec.containsKey("item")) {
            throw new UsageException("--columns must map user and item, got '" + columns + "'");
        }
        List<String> names = null;
        if (header) {
            List<Path> files = Formats.matching(input, n -> true);
            if (files.isEmpty()) throw new EimfException("csv: no input files in " + input);
            try (BufferedReader r = Files.newBufferedReader(files.get(0), StandardCharsets.UTF_8)) {
                String first = r.readLine();
                if (first == null) throw new EimfException(files.get(0).getFileName() + ": empty file, expected a header");
                names = Fields.csv(first.strip(), delim).stream().map(String::trim).toList();
            } catch (IOException | BadLineException e) {
                throw new EimfException(files.get(0).getFileName() + ":1: cannot read header: " + e.getMessage());
            }
        }
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("columns", columns);
        opts.put("delimiter", String.valueOf(delim));
        opts.put("header", String.valueOf(header));
        return new GenericCsv(delim, header, column(spec.get("user"), names), column(spec.get("item"), names),
                spec.containsKey("time") ? column(spec.get("time"), names) : -1,
                spec.containsKey("rating") ? column(spec.get("rating"), names) : -1, opts);
    }

    private static char delimiter(String d) {
        if (d == null) return ',';
        if (d.equals("\\t") || d.equalsIgnoreCase("tab") || d.equals("\t")) return '\t';
        if (d.length() != 1) throw new UsageException("--delimiter must be one character (or 'tab'), got '" + d + "'");
        return d.charAt(0);
    }

    private static int column(String col, List<String> names) {
        if (col.chars().allMatch(Character::isDigit) && !col.isEmpty()) {
            int c = Integer.parseInt(col);
            if (c < 1) throw new UsageException("--columns: column numbers start at 1, got " + col);
            return c - 1;
        }
        if (names == null) {
            throw new UsageException("--columns: '" + col + "' is a name; pass --header or use a 1-based column number");
        }
        int i = names.indexOf(col);
        if (i < 0) throw new EimfException("csv: column '" + col + "' not in header " + names);
        return i;
    }

    @Override
    public String name() {
        return "csv";
    }

    @Override
    public List<Path> interactionFiles(Path input) {
        List<Path> files = Formats.matching(input, n -> true);
        if (files.isEmpty()) throw new EimfException("csv: no input files in " + input);
        return files;
    }

    @Override
    public List<Path> itemFiles(Path input) {
        return List.of();
    }

    @Override
    public boolean header() {
        return header;
    }

    @Override
    public boolean hasRating() {
        return rating >= 0;
    }

    @Override
    public void parse(String line, InteractionSink out) throws BadLineException {
        List<String> f = Fields.csv(line, delimiter);
        if (f.size() < width) {
            throw new BadLineException("expected at least " + width + " '" + (delimiter == '\t' ? "\\t" : delimiter)
                    + "'-separated fields, found " + f.size());
        }
        out.accept(Formats.id(f.get(user), "user"), Formats.id(f.get(item), "item"),
                rating >= 0 ? Formats.parseDouble(f.get(rating), "rating") : Double.NaN,
                time >= 0 ? Formats.parseLong(f.get(time), "time") : 0L, 0);
    }

    @Override
    public boolean itemHeader() {
        return false;
    }

    @Override
    public ItemMeta parseItem(String line) {
        throw new UnsupportedOperationException("csv has no item metadata");
    }

    @Override
    public Map<String, String> options() {
        return options;
    }
}
