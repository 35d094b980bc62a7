package io.eimf.mlflow.registry;

import io.eimf.core.cli.EimfException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Caps on fetching one model version from a registry, which is not trusted: total bytes, number of files, folder
 * depth, and a deadline for the whole download (a slow or endless body is cut off there). Defaults are generous
 * (16 GiB, 10,000 files, depth 8, 30 minutes) and can be changed with {@code EIMF_MODEL_MAX_BYTES},
 * {@code EIMF_MODEL_MAX_FILES}, {@code EIMF_MODEL_MAX_DEPTH} and {@code EIMF_MODEL_DOWNLOAD_SECONDS}.
 */
public record DownloadLimits(long maxBytes, int maxFiles, int maxDepth, Duration deadline) {
    public static final long DEFAULT_MAX_BYTES = 16L << 30;
    public static final int DEFAULT_MAX_FILES = 10_000;
    public static final int DEFAULT_MAX_DEPTH = 8;
    public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(30);

    public DownloadLimits {
        if (maxBytes < 1 || maxFiles < 1 || maxDepth < 1 || deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("download limits must be positive: " + maxBytes + " bytes, "
                    + maxFiles + " files, depth " + maxDepth + ", " + deadline);
        }
    }

    /** The defaults, overridden by the environment variables named above. */
    public static DownloadLimits defaults() {
        return fromEnv(System.getenv());
    }

    /** The defaults, overridden by {@code env}; a malformed value is an error naming the variable. */
    public static DownloadLimits fromEnv(Map<String, String> env) {
        return new DownloadLimits(number(env, "EIMF_MODEL_MAX_BYTES", DEFAULT_MAX_BYTES),
                (int) number(env, "EIMF_MODEL_MAX_FILES", DEFAULT_MAX_FILES),
                (int) number(env, "EIMF_MODEL_MAX_DEPTH", DEFAULT_MAX_DEPTH),
                Duration.ofSeconds(number(env, "EIMF_MODEL_DOWNLOAD_SECONDS", DEFAULT_DEADLINE.toSeconds())));
    }

    private static long number(Map<String, String> env, String name, long dflt) {
        String v = env.get(name);
        if (v == null || v.isBlank()) return dflt;
        try {
            long n = Long.parseLong(v.strip());
            if (n < 1 || (!name.equals("EIMF_MODEL_MAX_BYTES") && n > Integer.MAX_VALUE)) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new EimfException(name + "=" + v + ": expected a positive whole number");
        }
    }

    /** Starts counting one download into {@code root}. */
    public Budget start(Path root, String what) {
        return new Budget(this, root.toAbsolutePath().normalize(), Instant.now().plus(deadline), what);
    }

    /** What one download has used so far; every file it writes is placed through {@link #child}. */
    public static final class Budget {
        private final DownloadLimits limits;
        private final Path root;
        private final Instant deadline;
        private final String what;
        private long bytes;
        private int files;

        Budget(DownloadLimits limits, Path root, Instant deadline, String what) {
            this.limits = limits;
            this.root = root;
            this.deadline = deadline;
            this.what = what;
        }

        /** When the whole download must be done. */
        public Instant deadline() {
            return deadline;
        }

        /** Bytes still allowed. */
        public long bytesLeft() {
            return limits.maxBytes - bytes;
        }

        /**
         * The path of entry {@code name} inside {@code dir} (a folder at {@code depth} under the root, 0 for the
         * root): refused when the name is empty, {@code .} or {@code ..}, holds a separator, a NUL or a drive colon,
         * is absolute, or would land outside the root or on a symbolic link, or when the depth cap is passed.
         */
        public Path child(Path dir, String name, int depth) {
            if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/")
                    || name.contains("\\") || name.indexOf('\0') >= 0 || name.contains(":")) {
                throw new EimfException(what + ": unsafe artifact name '" + name + "'; refused");
            }
            if (depth + 1 > limits.maxDepth) {
                throw new EimfException(what + ": artifact '" + name + "' is " + (depth + 1)
                        + " folders deep, over the limit of " + limits.maxDepth + " (EIMF_MODEL_MAX_DEPTH)");
            }
            Path p = dir.toAbsolutePath().normalize().resolve(name).normalize();
            if (!p.startsWith(root) || p.equals(root)) {
                throw new EimfException(what + ": artifact '" + name + "' would be written outside " + root + "; refused");
            }
            for (Path q = p; q != null && q.startsWith(root) && !q.equals(root); q = q.getParent()) {
                if (Files.isSymbolicLink(q)) throw new EimfException(what + ": " + q + " is a symbolic link; refused");
            }
            return p;
        }

        /** Counts one more file of {@code size} bytes (as listed, or -1 when unknown), failing past the caps. */
        public void file(String name, long size) {
            if (++files > limits.maxFiles) {
                throw new EimfException(what + ": more than " + limits.maxFiles
                        + " files (EIMF_MODEL_MAX_FILES); refused at '" + name + "'");
            }
            if (size > bytesLeft()) {
                throw new EimfException(what + ": '" + name + "' is listed at " + size + " bytes, over the "
                        + limits.maxBytes + "-byte limit (EIMF_MODEL_MAX_BYTES) with " + bytes + " bytes already fetched");
            }
        }

        /** Counts bytes actually written. */
        public void wrote(String name, long n) {
            bytes += n;
            if (bytes > limits.maxBytes) {
                throw new EimfException(what + ": over the " + limits.maxBytes
                        + "-byte limit (EIMF_MODEL_MAX_BYTES) at '" + name + "'; refused");
            }
        }

        /** Fails when the deadline has passed. */
        public void checkDeadline(String name) {
            if (Instant.now().isAfter(deadline)) {
                throw new EimfException(what + ": not done within " + limits.deadline.toSeconds()
                        + " s (EIMF_MODEL_DOWNLOAD_SECONDS); gave up at '" + name + "'");
            }
        }

        /** Refuses a symbolic link or anything that is neither a file nor a folder (local sources). */
        public static void requirePlain(Path p, String what) {
            if (Files.isSymbolicLink(p) || !(Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                    || Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
                throw new EimfException(what + ": " + p + " is a symbolic link or special file; refused");
            }
        }
    }
}
