package io.eimf.flink.fetch;

import java.util.LinkedHashMap;
import java.util.Map;

/** The public data sets {@code eimf data fetch} knows: GroupLens MovieLens archives and the format to prepare them with. */
public final class PublicDatasets {
    /**
     * @param name the name on the command line
     * @param archive the zip's file name under the base URL
     * @param folder the folder inside the zip
     * @param format the {@code eimf prepare --format} that reads it
     */
    public record Entry(String name, String archive, String folder, String format) {}

    /** GroupLens' download folder. */
    public static final String GROUPLENS = "https://files.grouplens.org/datasets/movielens";

    private static final Map<String, Entry> ALL = new LinkedHashMap<>();

    static {
        add("ml-100k", "ml-100k", "ml-100k");
        add("ml-1m", "ml-1m", "ml-1m");
        add("ml-10m", "ml-10M100K", "ml-10m");
        add("ml-20m", "ml-20m", "ml-latest");
        add("ml-25m", "ml-25m", "ml-latest");
        add("ml-32m", "ml-32m", "ml-latest");
        add("ml-latest-small", "ml-latest-small", "ml-latest");
        add("ml-latest", "ml-latest", "ml-latest");
    }

    private static void add(String name, String folder, String format) {
        ALL.put(name, new Entry(name, name + ".zip", folder, format));
    }

    private PublicDatasets() {}

    /** The entry called {@code name}, or null. */
    public static Entry get(String name) {
        return ALL.get(name);
    }

    /** All names, in a stable order. */
    public static Iterable<String> names() {
        return ALL.keySet();
    }
}
