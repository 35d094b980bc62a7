package io.eimf.flink.prepare;

import java.util.Comparator;

/**
 * The order dense ids follow: raw ids that are plain digit strings first, by numeric value (by length, then digits,
 * so "9" &lt; "10" with no overflow), then every other id by {@link String#compareTo}. A total order consistent with
 * equals, so ids do not depend on the input order, the splitting of the input, or the parallelism.
 */
public final class RawIdOrder implements Comparator<String>, java.io.Serializable {
    public static final RawIdOrder INSTANCE = new RawIdOrder();

    private RawIdOrder() {}

    private static boolean digits(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    @Override
    public int compare(String a, String b) {
        boolean da = digits(a);
        boolean db = digits(b);
        if (da && db) {
            int c = Integer.compare(a.length(), b.length());
            return c != 0 ? c : a.compareTo(b);
        }
        if (da) return -1;
        if (db) return 1;
        return a.compareTo(b);
    }
}
