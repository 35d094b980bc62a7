package io.eimf.flink.format;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The parse step shared by the Flink job and the in-memory preparer: reads a {@link FileRange} with a
 * {@link SourceFormat}, applies the implicit-feedback rule (drop ratings below {@code minRating}) and either stops at
 * the first malformed line ({@code file:line: reason}) or counts it.
 */
public final class InteractionReader implements Serializable {
    /** How many skipped lines are quoted back to the user. */
    public static final int MAX_EXAMPLES = 5;

    private final SourceFormat format;
    private final Double minRating;
    private final boolean skipBadLines;

    /**
     * @param minRating interactions rated below it are dropped; null keeps every interaction
     * @param skipBadLines count malformed lines instead of failing
     */
    public InteractionReader(SourceFormat format, Double minRating, boolean skipBadLines) {
        this.format = format;
        this.minRating = minRating;
        this.skipBadLines = skipBadLines;
    }

    /** Counts of one or more reads. */
    public static final class Stats implements Serializable {
        /** Interactions parsed (before the rating threshold and the frequency filter). */
        public long raw;
        /** Interactions dropped by the rating threshold. */
        public long belowMinRating;
        /** Malformed lines skipped. */
        public long badLines;
        /** The first few skipped lines as {@code file:line: reason}. */
        public final List<String> examples = new ArrayList<>();

        public void add(Stats o) {
            raw += o.raw;
            belowMinRating += o.belowMinRating;
            badLines += o.badLines;
            for (String e : o.examples) if (examples.size() < MAX_EXAMPLES) examples.add(e);
        }
    }

    /**
     * Reads one range; every kept interaction is passed to {@code out} as a fresh record.
     *
     * @throws BadInputException at the first malformed line unless bad lines are skipped
     */
    public void read(FileRange range, Stats stats, Consumer<InteractionRecord> out) throws IOException {
        try (LineReader r = new LineReader(range, format.charset(), false)) {
            final long[] lineOrder = new long[1];
            InteractionSink sink = (user, item, rating, time, pos) -> {
                stats.raw++;
                if (minRating != null && rating < minRating) {
                    stats.belowMinRating++;
                    return;
                }
                out.accept(new InteractionRecord(user, item, time, lineOrder[0], pos));
            };
            while (r.next()) {
                if (format.header() && r.offset() == 0) continue;
                String line = r.line();
                if (line.isBlank()) continue;
                lineOrder[0] = InteractionRecord.order(range.fileIndex, r.offset());
                try {
                    format.parse(line, sink);
                } catch (BadLineException e) {
                    String where = r.location() + ": " + e.getMessage();
                    if (!skipBadLines) throw new BadInputException(where);
                    stats.badLines++;
                    if (stats.examples.size() < MAX_EXAMPLES) stats.examples.add(where);
                }
            }
        }
    }
}
