package io.eimf.flink.prepare;

/**
 * One user's kept interactions in time order, items as their rank among the frequent items ({@link RawIdOrder}):
 * the Flink job's record after the filter. Ints instead of raw id strings make the later shuffles smaller and turn
 * the remapping into array lookups. A Flink POJO.
 */
public class KeptSequence {
    public String user;
    public int[] items;
    public long[] times;

    public KeptSequence() {}

    KeptSequence(String user, int[] items, long[] times) {
        this.user = user;
        this.items = items;
        this.times = times;
    }

    public int length() {
        return items.length;
    }
}
