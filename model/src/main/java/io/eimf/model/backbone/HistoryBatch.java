package io.eimf.model.backbone;

import io.eimf.model.nn.Ops;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A batch of histories padded with item 0 to {@code maxLen}, placed as their {@link HistoryAlignment} says (left, as
 * ComiRec: position 0 is the oldest kept item; right: position maxLen-1 is the most recent). Histories longer than
 * {@code maxLen} keep their most recent {@code maxLen} items. Row i's real positions are
 * {@code [start(i), start(i) + length(i))}.
 */
public final class HistoryBatch {
    private final int size;
    private final int maxLen;
    private final int[] ids;
    private final int[] lengths;
    private final HistoryAlignment alignment;

    private HistoryBatch(int size, int maxLen, int[] ids, int[] lengths, HistoryAlignment alignment) {
        this.size = size;
        this.maxLen = maxLen;
        this.ids = ids;
        this.lengths = lengths;
        this.alignment = alignment;
    }

    /** Builds a batch; every history needs at least one item (ids >= 1). */
    public static HistoryBatch of(int[][] histories, int maxLen, HistoryAlignment alignment) {
        int[] ends = new int[histories.length];
        for (int i = 0; i < ends.length; i++) ends[i] = histories[i].length;
        return ofSlices(histories, ends, maxLen, alignment);
    }

    /** Builds a batch from slices {@code seq[from, to)} without copying the histories first. */
    public static HistoryBatch ofSlices(int[][] seqs, int[] to, int maxLen, HistoryAlignment alignment) {
        int b = seqs.length;
        int[] ids = new int[b * maxLen];
        int[] lens = new int[b];
        for (int i = 0; i < b; i++) {
            int from = Math.max(0, to[i] - maxLen);
            int n = to[i] - from;
            if (n <= 0) throw new IllegalArgumentException("history " + i + " is empty");
            System.arraycopy(seqs[i], from, ids, i * maxLen + alignment.start(n, maxLen), n);
            lens[i] = n;
        }
        return new HistoryBatch(b, maxLen, ids, lens, alignment);
    }

    public int size() {
        return size;
    }

    public int maxLen() {
        return maxLen;
    }

    /** Item ids, row-major [size, maxLen], 0 for padding. */
    public int[] ids() {
        return ids;
    }

    /** The number of real (unpadded) positions of row i. */
    public int length(int i) {
        return lengths[i];
    }

    /** The first real position of row i. */
    public int start(int i) {
        return alignment.start(lengths[i], maxLen);
    }

    /** 1 for real positions, 0 for padding, repeated {@code repeat} times per row: [size*repeat, maxLen]. */
    public INDArray mask(DataType type, int repeat) {
        float[] m = new float[size * repeat * maxLen];
        for (int i = 0; i < size; i++) {
            for (int r = 0; r < repeat; r++) {
                int from = (i * repeat + r) * maxLen + start(i);
                Arrays.fill(m, from, from + lengths[i], 1f);
            }
        }
        return Ops.fromFloats(type, m, (long) size * repeat, maxLen);
    }

    /** 0 for real positions, {@link Ops#MASKED} for padding, repeated per row: [size*repeat, maxLen]. */
    public INDArray maskBias(DataType type, int repeat) {
        float[] m = new float[size * repeat * maxLen];
        for (int i = 0; i < size; i++) {
            for (int r = 0; r < repeat; r++) {
                int base = (i * repeat + r) * maxLen;
                Arrays.fill(m, base, base + maxLen, (float) Ops.MASKED);
                Arrays.fill(m, base + start(i), base + start(i) + lengths[i], 0f);
            }
        }
        return Ops.fromFloats(type, m, (long) size * repeat, maxLen);
    }
}
