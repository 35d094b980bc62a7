package io.eimf.flink.prepare;

import io.eimf.flink.format.InteractionRecord;
import java.util.Arrays;

/**
 * One user's interactions from one input range, unsorted: the combiner record of the Flink job. Sources are usually
 * grouped by user, so shipping one record per user and range instead of one per interaction shrinks the shuffle and
 * the sort by the mean run length. A Flink POJO.
 */
public class PartialSequence {
    public String user;
    public String[] items;
    public long[] times;
    public long[] orders;
    public int[] pos;

    public PartialSequence() {}

    PartialSequence(String user, int capacity) {
        this.user = user;
        this.items = new String[capacity];
        this.times = new long[capacity];
        this.orders = new long[capacity];
        this.pos = new int[capacity];
    }

    /** Appends an interaction of this user, growing the arrays; {@code n} is the current length. */
    void add(int n, InteractionRecord r) {
        if (n == items.length) {
            int c = Math.max(4, n * 2);
            items = Arrays.copyOf(items, c);
            times = Arrays.copyOf(times, c);
            orders = Arrays.copyOf(orders, c);
            pos = Arrays.copyOf(pos, c);
        }
        items[n] = r.item;
        times[n] = r.time;
        orders[n] = r.order;
        pos[n] = r.pos;
    }

    /** Trims the arrays to {@code n}. */
    PartialSequence trim(int n) {
        if (n != items.length) {
            items = Arrays.copyOf(items, n);
            times = Arrays.copyOf(times, n);
            orders = Arrays.copyOf(orders, n);
            pos = Arrays.copyOf(pos, n);
        }
        return this;
    }

    public int length() {
        return items.length;
    }
}
