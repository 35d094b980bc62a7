package io.eimf.flink.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.eimf.core.cli.Eimf;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Never touches the network: a closed local port for the failure path, an in-process server for the rest. */
class DataFetchCommandTest {
    @TempDir
    Path dir;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int eimf(String... args) {
        return new Eimf(List.of(new DataFetchCommand()), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    @Test
    void unreachableServerFailsFastWithAClearMessage() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again before the fetch: connection refused
        }
        long t0 = System.nanoTime();
        int code = eimf("data", "fetch", "ml-100k", "--out", dir.resolve("data").toString(), "--base-url", "http://127.0.0.1:" + port,
                "--timeout", "2");
        String msg = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, msg);
        assertTrue(msg.contains("network is unreachable"), msg);
        assertTrue(msg.contains("http://127.0.0.1:" + port + "/ml-100k.zip"), msg);
        assertEquals(1, msg.strip().lines().count(), "one line: " + msg);
        assertTrue((System.nanoTime() - t0) / 1e9 < 10, "fails fast");
        assertFalse(Files.exists(dir.resolve("data")), "a failed fetch leaves no folder behind");
    }

    @Test
    void unknownNamesAreUsageErrors() {
        assertEquals(2, eimf("data", "fetch", "ml-3b", "--out", dir.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown data set 'ml-3b'"));
    }

    @Test
    void downloadsVerifiesAndUnpacksFromAMirror() throws Exception {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(zip)) {
            z.putNextEntry(new ZipEntry("ml-100k/"));
            z.putNextEntry(new ZipEntry("ml-100k/u.data"));
            z.write("1\t2\t3\t4\n".getBytes(StandardCharsets.UTF_8));
            z.putNextEntry(new ZipEntry("ml-100k/u.item"));
            z.write("2|Title|||x|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|1\n".getBytes(StandardCharsets.UTF_8));
        }
        byte[] bytes = zip.toByteArray();
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ml-100k.zip", ex -> {
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        server.createContext("/ml-100k.zip.md5", ex -> {
            byte[] b = (md5 + "  ml-100k.zip\n").getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            int code = eimf("data", "fetch", "ml-100k", "--out", dir.toString(), "--base-url", base);
            assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
            assertEquals("1\t2\t3\t4\n", Files.readString(dir.resolve("ml-100k/u.data")));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("MD5 matches"));
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("--format ml-100k"));
            assertEquals(1, eimf("data", "fetch", "ml-100k", "--out", dir.toString(), "--base-url", base),
                    "an existing data set is kept");
            try (var s = Files.list(dir)) {
                assertEquals(List.of("ml-100k"), s.map(p -> p.getFileName().toString()).toList(), "no partial files");
            }
        } finally {
            server.stop(0);
        }
    }
}
