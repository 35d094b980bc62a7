package io.eimf.flink.format;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * MovieLens 100K: {@code u.data} ({@code user TAB item TAB rating TAB unix-time}) and {@code u.item}
 * ({@code id|title|release|video release|IMDb URL|19 genre flags}, ISO-8859-1). Categories are the genres whose flag
 * is 1, named as in {@code u.genre}.
 */
public final class MovieLens100k implements SourceFormat {
    /** The 19 genres of u.genre, in flag order. */
    static final String[] GENRES = {"unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
        "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi",
        "Thriller", "War", "Western"};

    @Override
    public String name() {
        return "ml-100k";
    }

    @Override
    public List<Path> interactionFiles(Path input) {
        return List.of(Formats.required(name(), input, "u.data"));
    }

    @Override
    public List<Path> itemFiles(Path input) {
        return Formats.optional(input, "u.item");
    }

    @Override
    public Charset charset() {
        return StandardCharsets.ISO_8859_1;
    }

    @Override
    public void parse(String line, InteractionSink out) throws BadLineException {
        List<String> f = Fields.split(line, "\t");
        if (f.size() != 4) throw new BadLineException("expected 4 tab-separated fields, found " + f.size());
        out.accept(Formats.id(f.get(0), "user"), Formats.id(f.get(1), "item"), Formats.parseDouble(f.get(2), "rating"),
                Formats.parseLong(f.get(3), "timestamp"), 0);
    }

    @Override
    public ItemMeta parseItem(String line) throws BadLineException {
        List<String> f = Fields.split(line, "|");
        if (f.size() != 5 + GENRES.length) {
            throw new BadLineException("expected " + (5 + GENRES.length) + " |-separated fields, found " + f.size());
        }
        List<String> cats = new ArrayList<>();
        for (int g = 0; g < GENRES.length; g++) {
            String flag = f.get(5 + g).trim();
            if (flag.equals("1")) cats.add(GENRES[g]);
            else if (!flag.equals("0")) throw new BadLineException("genre flag " + GENRES[g] + " is not 0/1: '" + flag + "'");
        }
        return new ItemMeta(Formats.id(f.get(0), "movie id"), f.get(1), cats);
    }
}
