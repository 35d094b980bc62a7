package io.eimf.llm.batch;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.eimf.core.cli.EimfException;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.json.Json;
import io.eimf.core.semantic.UserInterests;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The append-only progress log of an extraction: a header naming the run's inputs, then one line per finished
 * sample (its interests, or why it failed) written and synced before the next is reported. A killed run leaves
 * whole lines plus at most one torn last line, which is ignored; the next run skips every sample with a
 * {@code done} line and asks only for the rest.
 */
public final class ExtractionJournal implements AutoCloseable {

    /**
     * First line: what the answers depend on; a journal of other inputs is refused.
     *
     * @param journal layout version
     * @param clustersHash content hash of the clusters directory
     * @param datasetHash content hash of the prepared dataset
     * @param prompt prompt settings (max items, interest range)
     */
    public record Header(int journal, String clustersHash, String datasetHash, Map<String, Object> prompt) {}

    /**
     * One finished sample.
     *
     * @param type {@code done} or {@code failed}
     * @param user dense user id
     * @param run the run (1 for the first, 2 after one resume, ...) that wrote it
     * @param seconds seconds since that run started, when it was written
     * @param calls interest requests sent for it in that run
     * @param cacheHits answers served from llm-service's cache
     * @param promptTokens prompt tokens reported
     * @param completionTokens completion tokens reported
     * @param record the interests (done)
     * @param reason the last error (failed)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String type, int user, int run, double seconds, int calls, int cacheHits, long promptTokens,
                        long completionTokens, UserInterests record, String reason) {
        public static final String DONE = "done";
        public static final String FAILED = "failed";
    }

    private final Path file;
    private final List<Entry> previous;
    private final int run;
    private final FileOutputStream out;

    private ExtractionJournal(Path file, List<Entry> previous, int run, FileOutputStream out) {
        this.file = file;
        this.previous = previous;
        this.run = run;
        this.out = out;
    }

    /**
     * Opens {@code file} for this run: reads what earlier runs finished (checking their header against
     * {@code header}) or starts a new journal.
     */
    public static ExtractionJournal open(Path file, Header header) throws IOException {
        List<Entry> previous = new ArrayList<>();
        int run = 1;
        if (Files.exists(file)) {
            byte[] bytes = Files.readAllBytes(file);
            // Whatever follows the last newline is a line cut by a kill (possibly mid-character): it is dropped,
            // never decoded, and its sample is asked again.
            int complete = lastNewline(bytes) + 1;
            List<String> lines = decodeLines(file, bytes, complete);
            if (lines.isEmpty()) throw new EimfException(file + ": empty progress journal; delete it to start over");
            Header h;
            try {
                h = Json.mapper().readValue(lines.get(0), Header.class);
            } catch (IOException e) {
                throw new EimfException(file + ":1: not an extraction journal header; delete it to start over");
            }
            if (!header.equals(h)) {
                throw new EimfException(file + ": progress journal of a different extraction (clusters, dataset or "
                        + "prompt settings differ: " + Json.write(h) + "); delete it or choose another --out");
            }
            for (int i = 1; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) continue;
                try {
                    Entry e = Json.mapper().readValue(line, Entry.class);
                    previous.add(e);
                    run = Math.max(run, e.run() + 1);
                } catch (IOException e) {
                    throw new EimfException(file + ":" + (i + 1) + ": unreadable journal line: " + e.getMessage());
                }
            }
            if (complete < bytes.length) {
                // Cut the torn tail in place so the next append starts on a fresh line: one truncate, which a kill
                // cannot leave half done (rewriting the file could lose every finished line).
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(complete);
                    ch.force(true);
                }
            }
        } else {
            // the header is written whole or not at all: a torn header would make the journal unusable
            AtomicOutput.text(file, Json.write(header) + "\n");
        }
        return new ExtractionJournal(file, previous, run, new FileOutputStream(file.toFile(), true));
    }

    private static int lastNewline(byte[] b) {
        for (int i = b.length - 1; i >= 0; i--) if (b[i] == '\n') return i;
        return -1;
    }

    /** The complete lines (the first {@code complete} bytes), strictly UTF-8; a bad byte is named by its line. */
    private static List<String> decodeLines(Path file, byte[] bytes, int complete) {
        List<String> lines = new ArrayList<>();
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int start = 0;
        for (int i = 0; i < complete; i++) {
            if (bytes[i] != '\n') continue;
            try {
                lines.add(dec.decode(ByteBuffer.wrap(bytes, start, i - start)).toString());
            } catch (CharacterCodingException e) {
                throw new EimfException(file + ":" + (lines.size() + 1) + ": not UTF-8 (" + e + "); the journal is "
                        + "damaged: delete it to start over");
            }
            start = i + 1;
        }
        return lines;
    }

    public Path file() {
        return file;
    }

    /** This run's number (earlier runs' entries carry lower ones). */
    public int run() {
        return run;
    }

    /** Entries of earlier runs, in the order written. */
    public List<Entry> previous() {
        return previous;
    }

    /** The last {@code done} entry of earlier runs per user. */
    public Map<Integer, Entry> previouslyDone() {
        Map<Integer, Entry> done = new LinkedHashMap<>();
        for (Entry e : previous) if (Entry.DONE.equals(e.type())) done.put(e.user(), e);
        return done;
    }

    /** Appends one entry and syncs it to disk before returning. */
    public synchronized void append(Entry e) throws IOException {
        out.write((Json.write(e) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        out.getFD().sync();
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
