package io.eimf.model.backbone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Where histories land in the padded rows, and the masks that follow them, for both alignments. */
class HistoryBatchTest {
    static final int[][] HISTORIES = {{4, 5}, {1, 2, 3, 4, 5, 6}, {9, 8, 7, 6}};

    @Test
    void leftAlignmentPadsAfterTheHistory() {
        HistoryBatch b = HistoryBatch.of(HISTORIES, 4, HistoryAlignment.LEFT);
        assertArrayEquals(new int[] {4, 5, 0, 0, 3, 4, 5, 6, 9, 8, 7, 6}, b.ids());
        assertArrayEquals(new int[] {0, 0, 0}, new int[] {b.start(0), b.start(1), b.start(2)});
        assertArrayEquals(new float[] {1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1}, b.mask(DataType.FLOAT, 1).data().asFloat());
    }

    @Test
    void rightAlignmentPutsTheMostRecentItemLast() {
        HistoryBatch b = HistoryBatch.of(HISTORIES, 4, HistoryAlignment.RIGHT);
        // truncation keeps the most recent maxLen items either way
        assertArrayEquals(new int[] {0, 0, 4, 5, 3, 4, 5, 6, 9, 8, 7, 6}, b.ids());
        assertArrayEquals(new int[] {2, 0, 0}, new int[] {b.start(0), b.start(1), b.start(2)});
        assertArrayEquals(new int[] {2, 4, 4}, new int[] {b.length(0), b.length(1), b.length(2)});
        // repeated per interest row; padding masked in both mask forms
        float[] mask = b.mask(DataType.FLOAT, 2).data().asFloat();
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 1, 1}, java.util.Arrays.copyOf(mask, 8));
        float[] bias = b.maskBias(DataType.FLOAT, 1).data().asFloat();
        assertEquals(0f, bias[2]);
        assertEquals(0f, bias[3]);
        assertEquals(bias[0], bias[1]);
        assertTrue(bias[0] < -1e8f, "padding bias " + bias[0]);
    }

    @Test
    void slicesMatchCopiedHistories() {
        int[][] seqs = {{1, 2, 3, 4, 5, 6, 7}, {8, 9, 10}};
        for (HistoryAlignment a : HistoryAlignment.values()) {
            HistoryBatch sliced = HistoryBatch.ofSlices(seqs, new int[] {6, 2}, 4, a);
            HistoryBatch copied = HistoryBatch.of(new int[][] {{1, 2, 3, 4, 5, 6}, {8, 9}}, 4, a);
            assertArrayEquals(copied.ids(), sliced.ids(), a.id());
        }
        assertThrows(IllegalArgumentException.class, () -> HistoryBatch.of(new int[][] {{}}, 4, HistoryAlignment.RIGHT));
        assertThrows(IllegalArgumentException.class, () -> HistoryAlignment.of("centre"));
    }
}
