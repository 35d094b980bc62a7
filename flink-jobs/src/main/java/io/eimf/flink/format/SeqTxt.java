package io.eimf.flink.format;

import java.nio.file.Path;
import java.util.List;

/**
 * One user per line: {@code user item item ...} separated by spaces or tabs, already in time order. The source has no
 * times: every timestamp is 0 and the order is the line order (a user on several lines continues in file order).
 */
public final class SeqTxt implements SourceFormat {
    @Override
    public String name() {
        return "seq-txt";
    }

    @Override
    public List<Path> interactionFiles(Path input) {
        List<Path> files = Formats.matching(input, n -> true);
        if (files.isEmpty()) throw new io.eimf.core.cli.EimfException("seq-txt: no input files in " + input);
        return files;
    }

    @Override
    public List<Path> itemFiles(Path input) {
        return List.of();
    }

    @Override
    public boolean hasRating() {
        return false;
    }

    @Override
    public void parse(String line, InteractionSink out) throws BadLineException {
        String[] f = line.trim().split("[ \t]+");
        if (f.length < 2) throw new BadLineException("expected 'user item [item ...]', found " + f.length + " field");
        for (int i = 1; i < f.length; i++) out.accept(f[0], f[i], Double.NaN, 0L, i - 1);
    }

    @Override
    public ItemMeta parseItem(String line) {
        throw new UnsupportedOperationException("seq-txt has no item metadata");
    }
}
