package io.eimf.flink.format;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * MovieLens 1M and 10M: {@code ratings.dat} ({@code user::item::rating::unix-time}) and {@code movies.dat}
 * ({@code id::title::Genre|Genre}). ML-1M's movies.dat is ISO-8859-1; ML-10M's is UTF-8: metadata lines that are not
 * valid UTF-8 are read as ISO-8859-1 (see {@link LineReader}).
 */
public final class MovieLensDat implements SourceFormat {
    private final String name;

    public MovieLensDat(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Path> interactionFiles(Path input) {
        return List.of(Formats.required(name, input, "ratings.dat"));
    }

    @Override
    public List<Path> itemFiles(Path input) {
        return Formats.optional(input, "movies.dat");
    }

    @Override
    public void parse(String line, InteractionSink out) throws BadLineException {
        List<String> f = Fields.split(line, "::");
        if (f.size() != 4) throw new BadLineException("expected 4 ::-separated fields, found " + f.size());
        out.accept(Formats.id(f.get(0), "user"), Formats.id(f.get(1), "item"), Formats.parseDouble(f.get(2), "rating"),
                Formats.parseLong(f.get(3), "timestamp"), 0);
    }

    @Override
    public ItemMeta parseItem(String line) throws BadLineException {
        List<String> f = Fields.split(line, "::");
        if (f.size() != 3) throw new BadLineException("expected 3 ::-separated fields, found " + f.size());
        return new ItemMeta(Formats.id(f.get(0), "movie id"), f.get(1), genres(f.get(2)));
    }

    /** MovieLens genre lists: pipe-separated; "(no genres listed)" means none. */
    static List<String> genres(String field) {
        List<String> out = new ArrayList<>();
        String s = field.trim();
        if (s.isEmpty() || s.equals("(no genres listed)")) return out;
        for (String g : Fields.split(s, "|")) if (!g.isBlank()) out.add(g.trim());
        return out;
    }
}
