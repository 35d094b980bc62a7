package io.eimf.flink.prepare;

/**
 * A map from non-zero longs to non-negative ints with open addressing: no boxing, and key and value side by side in
 * one array, so a lookup touches one cache line.
 */
final class LongIntMap {
    /** Key at 2i, value at 2i + 1; key 0 marks a free slot. */
    private long[] table;
    private int shift;
    private int size;

    LongIntMap(int expected) {
        allocate(Integer.highestOneBit(Math.max(8, expected)) << 2);
    }

    private void allocate(int slots) {
        table = new long[2 * slots];
        shift = 64 - Integer.numberOfTrailingZeros(slots);
    }

    /** The value of {@code key}, or -1. */
    int get(long key) {
        int mask = table.length - 1;
        for (int i = slot(key); ; i = (i + 2) & mask) {
            long k = table[i];
            if (k == key) return (int) table[i + 1];
            if (k == 0) return -1;
        }
    }

    /** Sets the value of {@code key} (non-zero) to {@code value} (non-negative). */
    void put(long key, int value) {
        if (key == 0 || value < 0) throw new IllegalArgumentException("key must be non-zero, value non-negative");
        if (4 * (size + 1) > table.length) grow(); // at most half the slots in use
        int mask = table.length - 1;
        int i = slot(key);
        while (table[i] != 0 && table[i] != key) i = (i + 2) & mask;
        if (table[i] == 0) size++;
        table[i] = key;
        table[i + 1] = value;
    }

    int size() {
        return size;
    }

    /** Fibonacci hashing: the top bits of the product depend on every bit of the key. */
    private int slot(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift) << 1;
    }

    private void grow() {
        long[] old = table;
        allocate(old.length); // twice the slots: old.length / 2 slots before
        size = 0;
        for (int i = 0; i < old.length; i += 2) if (old[i] != 0) put(old[i], (int) old[i + 1]);
    }
}
