package io.eimf.flink.format;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.cli.EimfException;
import io.eimf.core.json.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Amazon reviews (McAuley et al.). 2014: {@code reviews_*.json[.gz]} (one JSON object per line) and
 * {@code meta_*.json[.gz]} (one Python dict literal per line, {@code categories} a list of category paths). 2018:
 * {@code *.json[.gz]} 5-core reviews (JSON lines) and optional {@code meta_*.json[.gz]} (JSON lines, {@code category}
 * a list). A review's user is {@code reviewerID}, its item {@code asin}, its rating {@code overall}, its time
 * {@code unixReviewTime}. Both editions accept JSON or Python literals in either file.
 */
public final class Amazon implements SourceFormat {
    /** Which release's file naming and metadata fields to expect. */
    public enum Edition { V2014, V2018 }

    private final Edition edition;

    public Amazon(Edition edition) {
        this.edition = edition;
    }

    @Override
    public String name() {
        return edition == Edition.V2014 ? "amazon-2014" : "amazon-2018";
    }

    @Override
    public List<Path> interactionFiles(Path input) {
        List<Path> files = Formats.matching(input, n -> {
            String b = Formats.baseName(n);
            if (!b.endsWith(".json") && !b.endsWith(".jsonl")) return false;
            if (b.startsWith("meta_")) return false;
            return edition == Edition.V2018 || b.startsWith("reviews_") || !b.startsWith("meta");
        });
        if (files.isEmpty()) {
            throw new EimfException(name() + ": no review files ("
                    + (edition == Edition.V2014 ? "reviews_*.json[.gz]" : "*.json[.gz] other than meta_*") + ") in " + input);
        }
        return files;
    }

    @Override
    public List<Path> itemFiles(Path input) {
        if (!java.nio.file.Files.isDirectory(input)) return List.of();
        return Formats.matching(input, n -> Formats.baseName(n).startsWith("meta_") && Formats.baseName(n).endsWith(".json"));
    }

    /** Reads a JSON object or a Python dict literal into a map-like view. */
    static Object object(String line) throws BadLineException {
        String t = line.trim();
        if (!t.startsWith("{")) throw new BadLineException("expected a JSON object or Python dict");
        if (t.length() > 1 && t.charAt(1) == '"') {
            try {
                return Json.mapper().readTree(t);
            } catch (Exception e) {
                // Not strict JSON after all: fall through to the lenient reader.
            }
        }
        Object o = PyLiteral.parse(t);
        if (!(o instanceof Map)) throw new BadLineException("expected a JSON object or Python dict");
        return o;
    }

    static Object field(Object o, String name) {
        if (o instanceof JsonNode n) return toJava(n.get(name));
        return ((Map<?, ?>) o).get(name);
    }

    private static Object toJava(JsonNode v) {
        if (v == null || v.isNull()) return null;
        if (v.isTextual()) return v.asText();
        if (v.isNumber()) return v.numberValue();
        if (v.isBoolean()) return v.booleanValue();
        if (v.isArray()) {
            List<Object> l = new ArrayList<>();
            v.forEach(x -> l.add(toJava(x)));
            return l;
        }
        return v.toString();
    }

    private static String text(Object o, String name, boolean required) throws BadLineException {
        Object v = field(o, name);
        if (v == null || v.toString().isBlank()) {
            if (required) throw new BadLineException("missing field '" + name + "'");
            return null;
        }
        String t = v.toString().trim();
        // a \ud800-style escape decodes to half a UTF-16 pair, which no UTF-8 output can hold: refuse it in an id
        if (required && Fields.hasUnpairedSurrogate(t)) {
            throw new BadLineException(name + " holds an unpaired UTF-16 surrogate (a lone \\uD800-\\uDFFF escape)");
        }
        return t;
    }

    @Override
    public void parse(String line, InteractionSink out) throws BadLineException {
        Object o = object(line);
        String user = text(o, "reviewerID", true);
        String item = text(o, "asin", true);
        Object rating = field(o, "overall");
        Object time = field(o, "unixReviewTime");
        if (time == null) throw new BadLineException("missing field 'unixReviewTime'");
        double r;
        long t;
        try {
            r = rating == null ? Double.NaN : Double.parseDouble(rating.toString());
        } catch (NumberFormatException e) {
            throw new BadLineException("overall is not a number: '" + rating + "'");
        }
        try {
            t = time instanceof Number n ? n.longValue() : Long.parseLong(time.toString().trim());
        } catch (NumberFormatException e) {
            throw new BadLineException("unixReviewTime is not an integer: '" + time + "'");
        }
        out.accept(user, item, r, t, 0);
    }

    @Override
    public ItemMeta parseItem(String line) throws BadLineException {
        Object o = object(line);
        String asin = text(o, "asin", true);
        String title = text(o, "title", false);
        Set<String> cats = new LinkedHashSet<>();
        // 2014: categories = [["Books", "Literature"], ...]; 2018: category = ["Books", "Literature"].
        collect(field(o, "categories"), cats);
        collect(field(o, "category"), cats);
        if (cats.isEmpty()) {
            String main = text(o, "main_cat", false);
            if (main != null) cats.add(main);
        }
        return new ItemMeta(asin, title, new ArrayList<>(cats));
    }

    private static void collect(Object v, Set<String> out) {
        if (v == null) return;
        if (v instanceof List<?> l) {
            for (Object x : l) collect(x, out);
        } else {
            String s = v.toString().trim();
            if (!s.isEmpty()) out.add(s);
        }
    }
}
