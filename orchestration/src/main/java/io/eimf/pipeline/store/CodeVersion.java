package io.eimf.pipeline.store;

import io.eimf.core.io.ContentHash;
import io.eimf.core.provenance.ToolVersion;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The code version that goes into every task key: the tool version plus a digest of the classpath (each jar's name,
 * size and modification time; each class folder's files likewise). Rebuilding any module changes it, so outputs
 * made by older code are not reused; {@code EIMF_CODE_VERSION} or {@code -Deimf.code.version} pins it (e.g. to a
 * release tag or git commit).
 */
public final class CodeVersion {
    private static volatile String cached;

    private CodeVersion() {}

    /** e.g. {@code eimf 0.1.0-SNAPSHOT+cp.3f2a9c01d4e5}. */
    public static String get() {
        String pinned = System.getProperty("eimf.code.version", System.getenv("EIMF_CODE_VERSION"));
        if (pinned != null && !pinned.isBlank()) return ToolVersion.get() + "+" + pinned;
        String c = cached;
        if (c == null) {
            c = ToolVersion.get() + "+cp." + classpathDigest(System.getProperty("java.class.path")).substring(0, 12);
            cached = c;
        }
        return c;
    }

    /** Digest of the entries of a class path string. */
    static String classpathDigest(String classpath) {
        MessageDigest md = ContentHash.sha256();
        for (String e : classpath.split(File.pathSeparator)) {
            if (e.isEmpty()) continue;
            Path p = Path.of(e);
            md.update(e.getBytes(StandardCharsets.UTF_8));
            try {
                if (Files.isRegularFile(p)) {
                    stamp(md, p, Files.readAttributes(p, BasicFileAttributes.class));
                } else if (Files.isDirectory(p)) {
                    List<Path> files;
                    try (Stream<Path> w = Files.walk(p)) {
                        files = w.filter(Files::isRegularFile).sorted().toList();
                    }
                    for (Path f : files) {
                        md.update(p.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
                        stamp(md, f, Files.readAttributes(f, BasicFileAttributes.class));
                    }
                }
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void stamp(MessageDigest md, Path f, BasicFileAttributes a) {
        md.update((":" + a.size() + ":" + a.lastModifiedTime().toMillis() + ";").getBytes(StandardCharsets.UTF_8));
    }
}
