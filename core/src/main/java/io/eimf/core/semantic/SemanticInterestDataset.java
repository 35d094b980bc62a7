package io.eimf.core.semantic;

import io.eimf.core.dataset.DatasetFormatException;
import io.eimf.core.io.ContentHash;
import io.eimf.core.json.Json;
import io.eimf.core.provenance.ToolVersion;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A semantic-interest dataset (format version {@value #FORMAT_VERSION}) as written by {@code eimf extract}:
 * {@code manifest.json}, {@code interests.jsonl} (one {@link UserInterests} per line, by user id) and
 * {@code failures.jsonl} (one {@link ExtractionFailure} per line); specified in docs/DATA.md. Training reads it.
 */
public final class SemanticInterestDataset {
    public static final int FORMAT_VERSION = 1;
    public static final String MANIFEST = "manifest.json";
    public static final String INTERESTS = "interests.jsonl";
    public static final String FAILURES = "failures.jsonl";

    private final Path dir;
    private final SemanticManifest manifest;
    private final List<UserInterests> users;
    private final List<ExtractionFailure> failures;

    private SemanticInterestDataset(Path dir, SemanticManifest manifest, List<UserInterests> users,
                                    List<ExtractionFailure> failures) {
        this.dir = dir;
        this.manifest = manifest;
        this.users = Collections.unmodifiableList(users);
        this.failures = Collections.unmodifiableList(failures);
    }

    public Path dir() {
        return dir;
    }

    public SemanticManifest manifest() {
        return manifest;
    }

    /** Typical users with their interests, ordered by user id. */
    public List<UserInterests> users() {
        return users;
    }

    /** Samples that failed, ordered by user id. */
    public List<ExtractionFailure> failures() {
        return failures;
    }

    /** Reads and validates a semantic-interest directory; errors name the file and line. */
    public static SemanticInterestDataset read(Path dir) throws IOException {
        Path mf = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(mf)) {
            throw new DatasetFormatException(mf + ": missing (not a semantic-interest dataset)");
        }
        SemanticManifest m = Json.read(mf, SemanticManifest.class);
        if (m.formatVersion() < 1 || m.formatVersion() > FORMAT_VERSION) {
            throw new DatasetFormatException(mf + ": format version " + m.formatVersion() + " is not supported");
        }
        List<UserInterests> users = readLines(dir.resolve(INTERESTS), UserInterests.class);
        for (int i = 0; i < users.size(); i++) {
            for (SemanticInterest s : users.get(i).interests()) {
                if (s.embedding().length != m.embeddingDimension()) {
                    throw new DatasetFormatException(dir.resolve(INTERESTS), i + 1, "interest '" + s.name()
                            + "' has a " + s.embedding().length + "-d embedding, manifest says "
                            + m.embeddingDimension());
                }
            }
        }
        List<ExtractionFailure> failures = readLines(dir.resolve(FAILURES), ExtractionFailure.class);
        return new SemanticInterestDataset(dir, m, users, failures);
    }

    private static <T> List<T> readLines(Path file, Class<T> type) throws IOException {
        List<T> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) continue;
                try {
                    out.add(Json.mapper().readValue(line, type));
                } catch (IOException | RuntimeException e) {
                    throw new DatasetFormatException(file, n, "bad " + type.getSimpleName() + ": " + e.getMessage());
                }
            }
        }
        return out;
    }

    /**
     * Writes the two data files and the sealed manifest into {@code dir} (normally an
     * {@link io.eimf.core.io.AtomicOutput} temporary directory); returns the sealed manifest.
     */
    public static SemanticManifest write(Path dir, SemanticManifest m, List<UserInterests> users,
                                         List<ExtractionFailure> failures) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(INTERESTS), StandardCharsets.UTF_8)) {
            for (UserInterests u : users) w.write(Json.write(u) + "\n");
        }
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve(FAILURES), StandardCharsets.UTF_8)) {
            for (ExtractionFailure f : failures) w.write(Json.write(f) + "\n");
        }
        String hash = ContentHash.ofFiles(dir, INTERESTS, FAILURES);
        SemanticManifest sealed = m.sealed(hash, ToolVersion.get(),
                m.createdAt() != null ? m.createdAt() : Instant.now().toString());
        Files.writeString(dir.resolve(MANIFEST), Json.pretty(sealed));
        return sealed;
    }
}
