package io.eimf.core.auth;

import io.eimf.core.cli.EimfException;
import io.eimf.core.cli.UsageException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Optional;

/**
 * The shared secret every EIMF HTTP server accepts as {@code Authorization: Bearer <token>}: one rule for what a
 * token may be (at least {@value #MIN_LENGTH} printable ASCII characters, no spaces), one way to read it (option,
 * file or environment variable) and one constant-time comparison.
 */
public final class BearerToken {
    /** Shortest accepted token: an empty or short token is refused, never taken to mean "no authentication". */
    public static final int MIN_LENGTH = 16;

    private final String value;
    private final byte[] expectedDigest;

    private BearerToken(String value) {
        this.value = value;
        this.expectedDigest = sha256("Bearer " + value);
    }

    /**
     * A token checked against the rule.
     *
     * @param source where it came from, named in the error (e.g. {@code --token}, {@code EIMF_SERVE_TOKEN})
     * @throws EimfException when it is empty, shorter than {@value #MIN_LENGTH} or has spaces or control characters
     */
    public static BearerToken of(String token, String source) {
        check(token, source);
        return new BearerToken(token);
    }

    /** Throws the {@link #of} error when {@code token} breaks the rule; for settings records that keep a string. */
    public static void check(String token, String source) {
        if (token == null || token.isEmpty()) {
            throw new EimfException(source + ": the token is empty; an empty token does not turn authentication off "
                    + "(leave the token unset for that); use at least " + MIN_LENGTH + " characters, e.g. from "
                    + "`openssl rand -hex 24`");
        }
        if (token.length() < MIN_LENGTH) {
            throw new EimfException(source + ": the token has " + token.length() + " characters; at least "
                    + MIN_LENGTH + " are required (e.g. `openssl rand -hex 24`)");
        }
        for (int i = 0; i < token.length(); i++) {
            char ch = token.charAt(i);
            if (ch <= ' ' || ch > '~') {
                throw new EimfException(source + ": the token has a space, control or non-ASCII character at "
                        + "position " + (i + 1) + "; use printable ASCII only");
            }
        }
    }

    /**
     * The token from the first of: {@code --token} ({@code option}), {@code --token-file} ({@code file}: its
     * content without surrounding whitespace), the environment variable {@code envName}. An environment variable
     * that is set but empty is an error like an empty option. Empty when none is given.
     *
     * @throws UsageException when both the option and the file are given
     * @throws EimfException when the token found breaks the rule or the file cannot be read
     */
    public static Optional<BearerToken> resolve(String option, Path file, String envName, Map<String, String> env) {
        if (option != null && file != null) throw new UsageException("give --token or --token-file, not both");
        if (option != null) return Optional.of(of(option, "--token"));
        if (file != null) {
            String content;
            try {
                content = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new EimfException("--token-file " + file + ": cannot read it: " + e.getMessage(), e);
            }
            return Optional.of(of(content.strip(), "--token-file " + file));
        }
        String v = envName == null ? null : env.get(envName);
        if (v != null) return Optional.of(of(v, "environment variable " + envName));
        return Optional.empty();
    }

    /**
     * True when {@code authorization} (the whole header value, may be null) is {@code Bearer <this token>}. Both
     * sides are hashed first, so the comparison takes the same time whatever the header's length or content.
     */
    public boolean matches(String authorization) {
        if (authorization == null) return false;
        return MessageDigest.isEqual(sha256(authorization), expectedDigest);
    }

    /** The header value a client sends: {@code Bearer <token>}. */
    public String header() {
        return "Bearer " + value;
    }

    /** The secret itself (for clients and settings); never log it. */
    public String value() {
        return value;
    }

    /**
     * True when {@code host} is a loopback address ({@code 127.0.0.1}, {@code ::1}, {@code localhost}); binding
     * anything else without a token deserves a warning. A name that does not resolve counts as not loopback.
     */
    public static boolean isLoopback(String host) {
        if (host == null) return false;
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Masked: tokens never reach logs. */
    @Override
    public String toString() {
        return "BearerToken(***)";
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
