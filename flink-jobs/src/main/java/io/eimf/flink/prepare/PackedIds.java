package io.eimf.flink.prepare;

/**
 * Raw ids of 1 to 10 ASCII letters and digits packed one to one into a long, so the Flink job can count, ship and look
 * up most item ids (MovieLens and Netflix numbers, Amazon ASINs) without hashing and comparing Strings; every other id
 * packs to {@link #NONE} and travels as its String.
 */
final class PackedIds {
    /** What {@link #pack} returns for an id it cannot pack; no id packs to it. */
    static final long NONE = 0;

    private PackedIds() {}

    /**
     * The id's characters as base-63 digits 1..62 (never 0), so different ids, of any lengths up to 10, give different
     * values; 63^10 - 1 fits in a long.
     */
    static long pack(String id) {
        int n = id.length();
        if (n == 0 || n > 10) return NONE;
        long v = 0;
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            int d;
            if (c >= '0' && c <= '9') d = c - '0' + 1;
            else if (c >= 'A' && c <= 'Z') d = c - 'A' + 11;
            else if (c >= 'a' && c <= 'z') d = c - 'a' + 37;
            else return NONE;
            v = v * 63 + d;
        }
        return v;
    }
}
