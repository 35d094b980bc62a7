package io.eimf.flink.format;

import java.io.Serializable;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How one public data layout is read: which files hold interactions and item metadata, and how a line of each is
 * parsed. Implementations are immutable and serializable, because the Flink job ships them to its tasks.
 */
public interface SourceFormat extends Serializable {
    /** The name used by {@code --format} and recorded in the manifest. */
    String name();

    /** Interaction files below {@code input} in a fixed order; fails with a one-line error when they are missing. */
    List<Path> interactionFiles(Path input);

    /** Item metadata files below {@code input} (may be empty when the source has none). */
    List<Path> itemFiles(Path input);

    /** Charset of interaction lines (default UTF-8). */
    default Charset charset() {
        return StandardCharsets.UTF_8;
    }

    /** Whether the first line of every interaction file is a header to skip (default no). */
    default boolean header() {
        return false;
    }

    /** Whether interactions carry a rating, otherwise --min-rating is a usage error (default yes). */
    default boolean hasRating() {
        return true;
    }

    /** Parses one non-blank interaction line; throws with a reason (no file/line: the reader adds them). */
    void parse(String line, InteractionSink out) throws BadLineException;

    /** Charset of item metadata lines (default: that of the interactions). */
    default Charset itemCharset() {
        return charset();
    }

    /** Whether the first line of every metadata file is a header to skip (default: as for interactions). */
    default boolean itemHeader() {
        return header();
    }

    /** Parses one non-blank metadata line. */
    ItemMeta parseItem(String line) throws BadLineException;

    /** Format options worth recording in the manifest: column mapping, delimiter, ... (default none). */
    default Map<String, String> options() {
        return Map.of();
    }
}
