package io.eimf.flink.format;

import java.util.ArrayList;
import java.util.List;

/** Fast field splitting without regular expressions (the parse step runs once per interaction). */
public final class Fields {
    private Fields() {}

    /** Splits on a literal separator, keeping empty fields. */
    public static List<String> split(String line, String sep) {
        List<String> out = new ArrayList<>(8);
        int from = 0;
        int at;
        while ((at = line.indexOf(sep, from)) >= 0) {
            out.add(line.substring(from, at));
            from = at + sep.length();
        }
        out.add(line.substring(from));
        return out;
    }

    /**
     * Splits one CSV record (RFC 4180 quoting within the line: "" is a quote inside a quoted field).
     *
     * @throws BadLineException on an unterminated quote
     */
    public static List<String> csv(String line, char delimiter) throws BadLineException {
        List<String> out = new ArrayList<>(8);
        int n = line.length();
        int i = 0;
        while (true) {
            if (i < n && line.charAt(i) == '"') {
                StringBuilder b = new StringBuilder();
                i++;
                while (true) {
                    if (i >= n) throw new BadLineException("unterminated quoted field");
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < n && line.charAt(i) == '"') {
                            b.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        b.append(c);
                    }
                }
                out.add(b.toString());
                if (i >= n) return out;
                if (line.charAt(i) != delimiter) {
                    throw new BadLineException("unexpected character after quoted field at column " + (i + 1));
                }
                i++;
            } else {
                int at = line.indexOf(delimiter, i);
                if (at < 0) {
                    out.add(line.substring(i));
                    return out;
                }
                out.add(line.substring(i, at));
                i = at + 1;
            }
        }
    }
}
