package io.eimf.flink.fetch;

import io.eimf.core.cli.Args;
import io.eimf.core.cli.Command;
import io.eimf.core.cli.CommandContext;
import io.eimf.core.cli.EimfException;
import io.eimf.core.cli.UsageException;
import io.eimf.core.io.AtomicOutput;
import io.eimf.core.progress.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code eimf data fetch NAME}: downloads a MovieLens archive from GroupLens, checks it against the published
 * {@code .md5} (or, where none is published, reads every zip entry's CRC), and unpacks it atomically into
 * {@code --out}/NAME. Without a network it fails within the connect timeout and says what to do by hand.
 */
public final class DataFetchCommand implements Command {
    @Override
    public String name() {
        return "data fetch";
    }

    @Override
    public String summary() {
        return "download a public data set (MovieLens from GroupLens), verify and unpack it";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.option("out", "DIR", "parent folder; the data set lands in DIR/NAME (default: data)"))
                .addOption(Args.option("base-url", "URL",
                        "mirror to download from (default " + PublicDatasets.GROUPLENS + ")"))
                .addOption(Args.option("timeout", "SECONDS", "connect timeout (default 10)"))
                .addOption(Option.builder().longOpt("overwrite").desc("replace an existing DIR/NAME").get());
    }

    @Override
    public int run(CommandLine cl, CommandContext ctx) throws Exception {
        if (cl.getArgs().length != 1) {
            throw new UsageException("expected one data set name: " + String.join(", ", PublicDatasets.names()));
        }
        String name = cl.getArgs()[0];
        PublicDatasets.Entry e = PublicDatasets.get(name);
        if (e == null) {
            throw new UsageException("unknown data set '" + name + "' (known: " + String.join(", ", PublicDatasets.names()) + ")");
        }
        int timeout = Args.intValue(cl, "timeout", 10);
        if (timeout < 1) throw new UsageException("--timeout must be at least 1 second");
        String base = cl.getOptionValue("base-url", PublicDatasets.GROUPLENS).replaceAll("/+$", "");
        Path target = ctx.path(cl.getOptionValue("out", "data")).resolve(name);
        boolean overwrite = cl.hasOption("overwrite");
        if (Files.exists(target) && !overwrite) {
            throw new EimfException(target + " already exists (pass --overwrite to fetch it again)");
        }
        URI url = URI.create(base + "/" + e.archive());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(timeout))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        boolean parentExisted = Files.isDirectory(target.getParent());
        Files.createDirectories(target.getParent());
        Path zip = target.resolveSibling("." + e.archive() + ".part-" + UUID.randomUUID());
        boolean ok = false;
        try {
            String md5 = download(http, url, zip, timeout, ctx, target);
            String expected = publishedMd5(http, URI.create(url + ".md5"), timeout);
            String check;
            if (expected != null) {
                if (!expected.equalsIgnoreCase(md5)) {
                    throw new EimfException(url + ": MD5 " + md5 + " does not match the published " + expected
                            + " (download corrupted; try again)");
                }
                check = "MD5 matches " + url + ".md5";
            } else {
                check = "no .md5 published; every zip entry's CRC checked";
            }
            AtomicOutput.directory(target, overwrite, tmp -> unpack(zip, e.folder(), tmp));
            ctx.out().printf("fetched %s into %s (%s)%nnext: eimf prepare --format %s --input %s --out <DIR>%n",
                    name, target, check, e.format(), target);
            ok = true;
            return 0;
        } finally {
            Files.deleteIfExists(zip);
            if (!ok && !parentExisted) {
                try {
                    Files.deleteIfExists(target.getParent()); // only if still empty: a failed fetch leaves nothing
                } catch (java.nio.file.DirectoryNotEmptyException keep) {
                    // something else was put there meanwhile; leave it
                }
            }
        }
    }

    /** Streams the archive to {@code file}; returns its MD5. */
    private static String download(HttpClient http, URI url, Path file, int timeout, CommandContext ctx, Path target)
            throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(Math.max(60, timeout))).GET().build();
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException ex) {
            throw unreachable(url, ex, target);
        }
        try (InputStream in = resp.body()) {
            if (resp.statusCode() != 200) {
                throw new EimfException(url + ": HTTP " + resp.statusCode() + " (not a known archive on this server?)");
            }
            long total = resp.headers().firstValueAsLong("content-length").orElse(0);
            Progress p = new Progress("fetch " + url.getPath(), total, ctx.err(), Duration.ofSeconds(5));
            MessageDigest md = MessageDigest.getInstance("MD5");
            try (OutputStream out = Files.newOutputStream(file)) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.write(buf, 0, n);
                    md.update(buf, 0, n);
                    p.advance(n, "bytes");
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** The MD5 GroupLens publishes next to the archive, or null when there is none. */
    private static String publishedMd5(HttpClient http, URI url, int timeout) throws InterruptedException {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(Math.max(30, timeout)))
                    .GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.US_ASCII));
            if (r.statusCode() != 200) return null;
            String[] words = r.body().trim().split("\\s+");
            for (String w : words) if (w.matches("[0-9a-fA-F]{32}")) return w.toLowerCase(Locale.ROOT);
            return null;
        } catch (IOException ex) {
            return null;
        }
    }

    private static EimfException unreachable(URI url, IOException ex, Path target) {
        String why = ex instanceof HttpConnectTimeoutException ? "connect timed out"
                : ex instanceof HttpTimeoutException ? "timed out"
                : ex instanceof ConnectException ? "connection refused or no route"
                : ex.getClass().getSimpleName() + (ex.getMessage() != null ? ": " + ex.getMessage() : "");
        return new EimfException("cannot reach " + url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "") + " ("
                + why + "): the network is unreachable from here. Download " + url
                + " on a connected machine and unzip it so that " + target + " holds its files", ex);
    }

    /** Extracts the entries under {@code folder}/ into {@code dir}, refusing paths that escape it. */
    static void unpack(Path zip, String folder, Path dir) throws IOException {
        int files = 0;
        try (ZipFile z = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> en = z.entries();
            while (en.hasMoreElements()) {
                ZipEntry entry = en.nextElement();
                String name = entry.getName();
                if (!name.startsWith(folder + "/")) continue;
                String rel = name.substring(folder.length() + 1);
                if (rel.isEmpty()) continue;
                Path out = dir.resolve(rel).normalize();
                if (!out.startsWith(dir)) throw new EimfException(zip + ": entry " + name + " escapes the target folder");
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                try (InputStream in = z.getInputStream(entry)) {
                    Files.copy(in, out); // reading to the end checks the entry's CRC
                }
                files++;
            }
        } catch (java.util.zip.ZipException ex) {
            throw new EimfException(zip.getFileName() + ": not a valid zip archive (" + ex.getMessage() + ")");
        }
        if (files == 0) throw new EimfException(zip.getFileName() + ": no files under " + folder + "/ in the archive");
    }
}
