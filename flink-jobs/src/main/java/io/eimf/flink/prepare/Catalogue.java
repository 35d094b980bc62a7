package io.eimf.flink.prepare;

import io.eimf.core.dataset.Item;
import io.eimf.core.dataset.PreparedDataset;
import io.eimf.flink.format.BadInputException;
import io.eimf.flink.format.BadLineException;
import io.eimf.flink.format.FileRange;
import io.eimf.flink.format.InteractionReader;
import io.eimf.flink.format.ItemMeta;
import io.eimf.flink.format.LineReader;
import io.eimf.flink.format.SourceFormat;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes {@code items.jsonl}: the kept items in dense order joined with the source's metadata. Only metadata of kept
 * items is held in memory; the first record of an id wins; items without metadata get an empty title.
 */
public final class Catalogue {
    private Catalogue() {}

    /**
     * @param denseItems raw ids by dense id - 1
     * @param itemFiles the format's metadata files (may be empty)
     * @param base the input folder, for file names in messages
     * @param stats receives skipped malformed metadata lines
     * @return how many kept items had no metadata
     */
    public static int write(Path file, String[] denseItems, SourceFormat format, List<Path> itemFiles, Path base,
                            boolean skipBadLines, InteractionReader.Stats stats) throws IOException {
        Map<String, Integer> index = new HashMap<>(denseItems.length * 2);
        for (int i = 0; i < denseItems.length; i++) index.put(denseItems[i], i);
        ItemMeta[] found = new ItemMeta[denseItems.length];
        List<FileRange> ranges = FileRange.split(itemFiles, base, Long.MAX_VALUE);
        for (FileRange r : ranges) {
            try (LineReader in = new LineReader(r, format.itemCharset(), true)) {
                while (in.next()) {
                    if (format.itemHeader() && in.offset() == 0) continue;
                    String line = in.line();
                    if (line.isBlank()) continue;
                    ItemMeta m;
                    try {
                        m = format.parseItem(line);
                    } catch (BadLineException e) {
                        String where = in.location() + ": " + e.getMessage();
                        if (!skipBadLines) throw new BadInputException(where);
                        stats.badLines++;
                        if (stats.examples.size() < InteractionReader.MAX_EXAMPLES) stats.examples.add(where);
                        continue;
                    }
                    Integer i = index.get(m.rawId());
                    if (i != null && found[i] == null) found[i] = m;
                }
            }
        }
        int missing = 0;
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < denseItems.length; i++) {
                ItemMeta m = found[i];
                if (m == null) missing++;
                String title = m == null ? "" : m.title();
                List<String> cats = m == null ? List.of() : m.categories();
                w.write(PreparedDataset.formatItem(new Item(i + 1, denseItems[i], title, cats,
                        Item.defaultText(title, cats))));
                w.write('\n');
            }
        }
        return missing;
    }
}
