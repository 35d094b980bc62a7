package io.eimf.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Locates the read-only {@code shared/} folder beside a checkout (MovieLens 100K, the tiny GGUF model). Tests that
 * need it skip cleanly where it is absent; nothing is ever copied out of it into the repository.
 */
public final class SharedFiles {
    private SharedFiles() {}

    /** The shared folder: system property {@code eimf.shared.dir}, env {@code EIMF_SHARED_DIR}, else ../shared. */
    public static Optional<Path> dir() {
        String p = System.getProperty("eimf.shared.dir", System.getenv("EIMF_SHARED_DIR"));
        Path d = p != null ? Path.of(p) : Path.of("..", "shared");
        if (Files.isDirectory(d)) return Optional.of(d.toAbsolutePath().normalize());
        Path up = Path.of("..", "..", "shared");
        return Files.isDirectory(up) ? Optional.of(up.toAbsolutePath().normalize()) : Optional.empty();
    }

    /** A path under the shared folder if it exists. */
    public static Optional<Path> find(String relative) {
        return dir().map(d -> d.resolve(relative)).filter(Files::exists);
    }

    /** MovieLens 100K's folder (u.data, u.item), if present. */
    public static Optional<Path> movieLens100k() {
        return find("data/ml-100k").filter(d -> Files.isRegularFile(d.resolve("u.data")));
    }

    /** The tiny random-weight GGUF, if present. */
    public static Optional<Path> tinyGguf() {
        return find("models/llama-2-tiny-random.gguf");
    }
}
