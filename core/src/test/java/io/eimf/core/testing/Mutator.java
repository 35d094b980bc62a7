package io.eimf.core.testing;

import java.util.List;
import java.util.Random;

/**
 * Seeded mutations of valid inputs for the fuzzing properties: a valid line or JSON body with characters deleted,
 * tokens inserted, fields swapped for hostile values and the text cut short, so the parsers get past their first
 * check and into the deep paths. The same seed gives the same mutant, so a failure reproduces from its seed.
 */
public final class Mutator {
    /** Tokens that trip parsers: separators, quotes, brackets, numbers at the edges, odd Unicode. */
    public static final List<String> TOKENS = List.of("", " ", "\t", ",", ";", "::", "|", "\"", "'", "\\", "\\u",
            "\\ud800", "{", "}", "[", "]", ":", "null", "true", "None", "True", "nan", "NaN", "inf", "-1", "0", "1",
            "4.5", "1e309", "-9223372036854775809", "9223372036854775807", "99999999999999999999", "0x1F", "+",
            "é", "\u20ac", "\uD83D\uDE00", "\uD800", "\u0000", "\r", "\u2028", "\ufeff", "{\"a\":1}", "[1,2]",
            "\"\"", "''", "u'x'", "{'a': [1, (2, 3)]}");

    private final Random rnd;

    public Mutator(long seed) {
        this.rnd = new Random(seed);
    }

    /** A random token or short random string. */
    public String token() {
        if (rnd.nextInt(4) == 0) {
            StringBuilder b = new StringBuilder();
            int n = rnd.nextInt(6);
            for (int i = 0; i < n; i++) b.append((char) (rnd.nextInt(3) == 0 ? rnd.nextInt(0x3000) : 32 + rnd.nextInt(95)));
            return b.toString();
        }
        return TOKENS.get(rnd.nextInt(TOKENS.size()));
    }

    /** {@code valid} with 1..4 random edits (or returned whole, one time in eight). */
    public String mutate(String valid) {
        if (rnd.nextInt(8) == 0) return valid;
        StringBuilder s = new StringBuilder(valid);
        int edits = 1 + rnd.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = s.length() == 0 ? 0 : rnd.nextInt(s.length() + 1);
            switch (rnd.nextInt(7)) {
                case 0 -> { if (at < s.length()) s.deleteCharAt(at); }
                case 1 -> s.insert(at, token());
                case 2 -> s.setLength(at); // cut short, as a torn write would
                case 3 -> { // replace a run of characters with a token
                    int end = Math.min(s.length(), at + 1 + rnd.nextInt(8));
                    s.replace(at, end, token());
                }
                case 4 -> { // duplicate a slice
                    int end = Math.min(s.length(), at + rnd.nextInt(12));
                    s.insert(end, s.substring(at, end));
                }
                case 5 -> { // deep nesting
                    int depth = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 3000 : 20);
                    s.insert(at, "[".repeat(depth));
                }
                default -> s.insert(at, "x".repeat(rnd.nextInt(rnd.nextInt(8) == 0 ? 100_000 : 50)));
            }
        }
        return s.toString();
    }

    /** The seeded random source, for callers that pick among templates. */
    public Random random() {
        return rnd;
    }
}
