package io.eimf.flink.format;

/** Receives the interactions a format parses out of one line. */
@FunctionalInterface
public interface InteractionSink {
    /**
     * @param user raw user id
     * @param item raw item id
     * @param rating explicit rating, or NaN when the source has none
     * @param time event time in the source's unit (0 when the source has none)
     * @param pos position of this interaction within its line (0 for one-interaction lines)
     */
    void accept(String user, String item, double rating, long time, int pos);
}
