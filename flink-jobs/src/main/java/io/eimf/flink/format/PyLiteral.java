package io.eimf.flink.format;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small parser for Python literals as written by {@code repr()}: dicts, lists, tuples, strings in single or double
 * quotes with escapes, numbers, True/False/None. The 2014 Amazon metadata files are such literals, not JSON; strict
 * JSON (true/false/null) is accepted as well.
 */
public final class PyLiteral {
    /** Deepest nesting of dicts, lists and tuples accepted: deeper input would overflow the stack. */
    static final int MAX_DEPTH = 256;

    private final String s;
    private int i;
    private int depth;

    private PyLiteral(String s) {
        this.s = s;
    }

    /** Parses one literal; maps become {@link Map}, lists and tuples {@link List}, strings {@link String}. */
    public static Object parse(String text) throws BadLineException {
        PyLiteral p = new PyLiteral(text);
        Object v = p.value();
        p.ws();
        if (p.i != text.length()) throw p.error("trailing characters");
        return v;
    }

    private BadLineException error(String what) {
        return new BadLineException("invalid literal: " + what + " at column " + (i + 1));
    }

    private void ws() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    }

    private Object value() throws BadLineException {
        ws();
        if (i >= s.length()) throw error("unexpected end");
        char c = s.charAt(i);
        if ((c == '{' || c == '[' || c == '(') && depth >= MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH + " levels");
        }
        switch (c) {
            case '{': return nested(this::dict);
            case '[': return nested(() -> list(']'));
            case '(': return nested(() -> list(')'));
            case '\'': case '"': return string();
            default:
                if (c == '-' || c == '+' || c == '.' || Character.isDigit(c)) return number();
                return word();
        }
    }

    private interface Part {
        Object parse() throws BadLineException;
    }

    private Object nested(Part p) throws BadLineException {
        depth++;
        try {
            return p.parse();
        } finally {
            depth--;
        }
    }

    private Map<String, Object> dict() throws BadLineException {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        ws();
        if (peek('}')) return m;
        while (true) {
            Object k = value();
            ws();
            expect(':');
            m.put(String.valueOf(k), value());
            ws();
            if (peek('}')) return m;
            expect(',');
            ws();
            if (peek('}')) return m;
        }
    }

    private List<Object> list(char close) throws BadLineException {
        List<Object> l = new ArrayList<>();
        i++;
        ws();
        if (peek(close)) return l;
        while (true) {
            l.add(value());
            ws();
            if (peek(close)) return l;
            expect(',');
            ws();
            if (peek(close)) return l;
        }
    }

    private boolean peek(char c) {
        if (i < s.length() && s.charAt(i) == c) {
            i++;
            return true;
        }
        return false;
    }

    private void expect(char c) throws BadLineException {
        if (!peek(c)) throw error("expected '" + c + "'");
    }

    private String string() throws BadLineException {
        char q = s.charAt(i++);
        StringBuilder b = new StringBuilder();
        while (true) {
            if (i >= s.length()) throw error("unterminated string");
            char c = s.charAt(i++);
            if (c == q) return b.toString();
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i >= s.length()) throw error("unterminated escape");
            char e = s.charAt(i++);
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case '/' -> b.append('/');
                case 'x' -> b.append((char) hex(2));
                case 'u' -> b.append((char) hex(4));
                case 'U' -> {
                    int cp = hex(8);
                    if (!Character.isValidCodePoint(cp)) throw error("\\U escape beyond U+10FFFF");
                    b.appendCodePoint(cp);
                }
                case '\n' -> { }
                default -> b.append(e);
            }
        }
    }

    private int hex(int n) throws BadLineException {
        if (i + n > s.length()) throw error("short \\x/\\u escape");
        for (int k = i; k < i + n; k++) {
            if (Character.digit(s.charAt(k), 16) < 0) throw error("bad hex escape"); // parseInt would take a sign
        }
        try {
            int v = Integer.parseInt(s.substring(i, i + n), 16);
            i += n;
            return v;
        } catch (NumberFormatException e) {
            throw error("bad hex escape");
        }
    }

    private Object number() throws BadLineException {
        int st = i;
        while (i < s.length() && "+-.0123456789eE".indexOf(s.charAt(i)) >= 0) i++;
        String t = s.substring(st, i);
        try {
            if (t.contains(".") || t.contains("e") || t.contains("E")) return Double.parseDouble(t);
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw error("bad number '" + t + "'");
        }
    }

    private Object word() throws BadLineException {
        int st = i;
        while (i < s.length() && Character.isLetter(s.charAt(i))) i++;
        return switch (s.substring(st, i)) {
            case "True", "true" -> Boolean.TRUE;
            case "False", "false" -> Boolean.FALSE;
            case "None", "null" -> null;
            default -> throw error("unexpected '" + (st < s.length() ? s.charAt(st) : ' ') + "'");
        };
    }
}
