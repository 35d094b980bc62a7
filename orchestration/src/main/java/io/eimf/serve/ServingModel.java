package io.eimf.serve;

/**
 * A loaded model as the server sees it: raw item ids in and out, scoring delegated to the model module's inference
 * API. Implementations are immutable and thread-safe, so one instance serves every request until it is swapped.
 */
public interface ServingModel {
    /** Which model this is, e.g. {@code models:/eimf/3} or a folder path. */
    String describe();

    /** The registry version, or null for a model loaded from a folder. */
    String version();

    /** Number of items the model can recommend. */
    int numItems();

    /** Number of interests per user (K). */
    int numInterests();

    /** The model's internal id of a raw item id, or -1 when the model does not know the item. */
    int itemId(String rawId);

    /** The raw id of an internal item id. */
    String rawId(int itemId);

    /** The title of an internal item id (may be null). */
    String title(int itemId);

    /**
     * Top {@code n} items for a history of internal ids, oldest first.
     *
     * @return items best first, each with its score and the interest (0..K-1) that retrieved it
     */
    Ranked recommend(int[] history, int n);

    /** How items are retrieved: {@code exact}, or the ANN index with its parameters. */
    default String retrieval() {
        return "exact";
    }

    /** A ranked list: parallel arrays. */
    record Ranked(int[] items, float[] scores, int[] interests) {}
}
