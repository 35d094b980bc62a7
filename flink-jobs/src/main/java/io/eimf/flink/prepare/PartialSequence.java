package io.eimf.flink.prepare;

/**
 * One user's interactions from one input range, already in the shared order: the combiner record of the Flink job.
 * Sources are usually grouped by user, so shipping one record per user and range instead of one per interaction
 * shrinks the shuffle and the sort by the mean run length. Sorting in the parse step leaves only the range's
 * {@link #origin} to break ties between parts, so no per-interaction input position is shipped. Items travel as
 * {@link PackedIds} where they pack, which spares the shuffle and the lookups of the next step most Strings. A Flink
 * POJO.
 */
public class PartialSequence {
    public String user;
    /** Input position of the range's first byte: every line of an earlier range has a smaller one. */
    public long origin;
    /** Packed item ids; {@link PackedIds#NONE} where the id is in {@link #names}. */
    public long[] keys;
    /** Raw ids of the items that do not pack (null elsewhere); null when every item packs. */
    public String[] names;
    public long[] times;

    public PartialSequence() {}

    PartialSequence(String user, long origin, long[] keys, String[] names, long[] times) {
        this.user = user;
        this.origin = origin;
        this.keys = keys;
        this.names = names;
        this.times = times;
    }

    public int length() {
        return keys.length;
    }
}
