package io.eimf.core.dataset;

/** What a user's sequence is for under the dataset's split protocol. */
public enum SplitRole {
    /** comirec split: the whole sequence trains. */
    TRAIN,
    /** comirec split: history is input, the rest are validation targets. */
    VALID,
    /** comirec split: history is input, the rest are test targets. */
    TEST,
    /** loo split: every user trains on all but the last two items, validates on the second last, tests on the last. */
    ALL;

    /** The lower-case name used in files and on the command line. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses a label written by {@link #label()}. */
    public static SplitRole parse(String label) {
        return switch (label) {
            case "train" -> TRAIN;
            case "valid" -> VALID;
            case "test" -> TEST;
            case "all" -> ALL;
            default -> throw new IllegalArgumentException("unknown split role '" + label + "' (train|valid|test|all)");
        };
    }
}
