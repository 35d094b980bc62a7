package io.eimf.pipeline.store;

import io.eimf.core.io.ContentHash;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Content hash of an external input (a file or folder given as an argument, e.g. the raw MovieLens folder), so a
 * task re-runs when its input data changes even though the path stayed the same.
 */
public final class InputFingerprint {
    private InputFingerprint() {}

    /** SHA-256 over the relative names and bytes of every regular file under {@code p} (or of {@code p} itself). */
    public static String of(Path p) throws IOException {
        MessageDigest md = ContentHash.sha256();
        List<Path> files;
        if (Files.isDirectory(p)) {
            try (Stream<Path> w = Files.walk(p)) {
                files = w.filter(Files::isRegularFile).sorted().toList();
            }
        } else {
            files = List.of(p);
        }
        byte[] buf = new byte[1 << 16];
        for (Path f : files) {
            md.update((Files.isDirectory(p) ? p.relativize(f).toString() : f.getFileName().toString())
                    .getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            try (InputStream in = Files.newInputStream(f)) {
                int n;
                while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
