package io.eimf.model.backbone;

import java.util.Arrays;

/**
 * Where a history shorter than the model's max length sits in its padded row, which decides what a position means
 * to the position-dependent weights (ComiRec-SA's position embeddings, ComiRec-DR's per-position maps, MIND's
 * initial routing logits). Histories of max length or more fill the row either way (docs/METHOD.md, "History
 * alignment").
 */
public enum HistoryAlignment {
    /** ComiRec's layout: padding after the history, so position 0 is the oldest item kept. */
    LEFT("left"),
    /** Padding before the history, so position maxLen-1 is always the most recent item. */
    RIGHT("right");

    private final String id;

    HistoryAlignment(String id) {
        this.id = id;
    }

    /** The name used on the command line and in config.json. */
    public String id() {
        return id;
    }

    /** The alignment named {@code id} (case-insensitive). */
    public static HistoryAlignment of(String id) {
        for (HistoryAlignment a : values()) if (a.id.equalsIgnoreCase(id)) return a;
        throw new IllegalArgumentException("unknown alignment '" + id + "' (" + String.join("|", ids()) + ")");
    }

    /** Every alignment's name. */
    public static String[] ids() {
        return Arrays.stream(values()).map(HistoryAlignment::id).toArray(String[]::new);
    }

    /** The first real position of a history of {@code length} items (at most maxLen) in a row of {@code maxLen}. */
    public int start(int length, int maxLen) {
        return this == LEFT ? 0 : maxLen - length;
    }
}
