package io.eimf.model.export;

import io.eimf.core.dataset.Item;
import io.eimf.core.io.Tsv;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Raw item id <-> dense id (1..n) and titles, stored with an exported model as {@code items.tsv}. */
public final class ItemVocabulary {
    private final String[] rawIds;   // index = dense id; [0] unused
    private final String[] titles;
    private final Map<String, Integer> dense;

    private ItemVocabulary(String[] rawIds, String[] titles) {
        this.rawIds = rawIds;
        this.titles = titles;
        this.dense = new HashMap<>(rawIds.length * 2);
        for (int i = 1; i < rawIds.length; i++) dense.put(rawIds[i], i);
    }

    /** From a dataset's items (ordered by dense id). */
    public static ItemVocabulary of(List<Item> items) {
        String[] raw = new String[items.size() + 1];
        String[] titles = new String[items.size() + 1];
        for (Item it : items) {
            raw[it.id()] = it.rawId();
            titles[it.id()] = it.title();
        }
        return new ItemVocabulary(raw, titles);
    }

    public int size() {
        return rawIds.length - 1;
    }

    /** Dense id of a raw id, or -1 when unknown. */
    public int dense(String rawId) {
        return dense.getOrDefault(rawId, -1);
    }

    public String raw(int denseId) {
        return rawIds[denseId];
    }

    public String title(int denseId) {
        return titles[denseId];
    }

    public void write(Path file) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("id\traw_id\ttitle\n");
            for (int i = 1; i < rawIds.length; i++) {
                w.write(i + "\t" + Tsv.escape(rawIds[i]) + "\t" + Tsv.escape(titles[i]) + "\n");
            }
        }
    }

    public static ItemVocabulary read(Path file) throws IOException {
        List<String> lines;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            lines = r.lines().toList();
        }
        if (lines.isEmpty() || !lines.get(0).equals("id\traw_id\ttitle")) {
            throw new IOException(file + ":1: expected header 'id\\traw_id\\ttitle'");
        }
        String[] raw = new String[lines.size()];
        String[] titles = new String[lines.size()];
        for (int n = 1; n < lines.size(); n++) {
            String[] f = lines.get(n).split("\t", -1);
            if (f.length != 3 || !f[0].equals(Integer.toString(n))) {
                throw new IOException(file + ":" + (n + 1) + ": expected 'id<TAB>raw_id<TAB>title' with id " + n);
            }
            raw[n] = Tsv.unescape(f[1]);
            titles[n] = Tsv.unescape(f[2]);
        }
        return new ItemVocabulary(raw, titles);
    }
}
