package io.eimf.flink.prepare;

/**
 * One user's kept interactions in time order, still with raw ids: the record between filtering and id remapping. A
 * Flink POJO (arrays of String and long are handled by Flink's own serializers, never Kryo).
 */
public class RawSequence {
    public String user;
    public String[] items;
    public long[] times;

    public RawSequence() {}

    public RawSequence(String user, String[] items, long[] times) {
        this.user = user;
        this.items = items;
        this.times = times;
    }

    public int length() {
        return items.length;
    }
}
