package io.eimf.flink.format;

import java.util.ArrayList;
import java.util.List;

/** Fast field splitting without regular expressions (the parse step runs once per interaction). */
public final class Fields {
    private Fields() {}

    /** Whether {@code s} holds half a UTF-16 surrogate pair (only escapes such as JSON's \\uD800 produce one). */
    public static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** {@code s} with every unpaired surrogate replaced by U+FFFD, so it can be written as UTF-8. */
    public static String wellFormed(String s) {
        if (s == null || !hasUnpairedSurrogate(s)) return s;
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else {
                b.append(Character.isSurrogate(c) ? '\ufffd' : c);
            }
        }
        return b.toString();
    }

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
