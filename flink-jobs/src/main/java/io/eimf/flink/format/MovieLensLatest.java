package io.eimf.flink.format;

import java.nio.file.Path;
import java.util.List;

/**
 * MovieLens "latest" (and 20M/25M/32M): {@code ratings.csv} ({@code userId,movieId,rating,timestamp} with a header)
 * and {@code movies.csv} ({@code movieId,title,genres}; titles with commas are quoted). UTF-8.
 */
public final class MovieLensLatest implements SourceFormat {
    @Override
    public String name() {
        return "ml-latest";
    }

    @Override
    public List<Path> interactionFiles(Path input) {
        return List.of(Formats.required(name(), input, "ratings.csv"));
    }

    @Override
    public List<Path> itemFiles(Path input) {
        return Formats.optional(input, "movies.csv");
    }

    @Override
    public boolean header() {
        return true;
    }

    @Override
    public void parse(String line, InteractionSink out) throws BadLineException {
        // Ratings never need quoting; a plain split is several times faster than the CSV state machine.
        List<String> f = Fields.split(line, ",");
        if (f.size() != 4) throw new BadLineException("expected 4 comma-separated fields, found " + f.size());
        out.accept(Formats.id(f.get(0), "userId"), Formats.id(f.get(1), "movieId"),
                Formats.parseDouble(f.get(2), "rating"), Formats.parseLong(f.get(3), "timestamp"), 0);
    }

    @Override
    public ItemMeta parseItem(String line) throws BadLineException {
        List<String> f = Fields.csv(line, ',');
        if (f.size() != 3) throw new BadLineException("expected 3 comma-separated fields, found " + f.size());
        return new ItemMeta(Formats.id(f.get(0), "movieId"), f.get(1), MovieLensDat.genres(f.get(2)));
    }
}
