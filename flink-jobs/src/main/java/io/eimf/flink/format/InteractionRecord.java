package io.eimf.flink.format;

/**
 * One parsed interaction. A Flink POJO (public fields, no-arg constructor) so it never goes through Kryo.
 * {@code order} is the input position (file index, byte offset of the line) and {@code pos} the position within the
 * line: together they break ties between equal timestamps in input order, independently of how the input was split.
 */
public class InteractionRecord {
    public String user;
    public String item;
    public long time;
    public long order;
    public int pos;

    public InteractionRecord() {}

    public InteractionRecord(String user, String item, long time, long order, int pos) {
        this.user = user;
        this.item = item;
        this.time = time;
        this.order = order;
        this.pos = pos;
    }

    /** The one ordering rule of a user's sequence: by time, ties by input order. */
    public static int compare(long timeA, long orderA, int posA, long timeB, long orderB, int posB) {
        int c = Long.compare(timeA, timeB);
        if (c != 0) return c;
        c = Long.compare(orderA, orderB);
        return c != 0 ? c : Integer.compare(posA, posB);
    }

    /** Input position of a line: file index in the high bits, byte offset in the low 40 bits (files up to 1 TiB). */
    public static long order(int fileIndex, long byteOffset) {
        return ((long) fileIndex << 40) | byteOffset;
    }

    public InteractionRecord copy() {
        return new InteractionRecord(user, item, time, order, pos);
    }

    @Override
    public String toString() {
        return user + "->" + item + "@" + time;
    }
}
