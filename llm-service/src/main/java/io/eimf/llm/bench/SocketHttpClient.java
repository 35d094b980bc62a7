package io.eimf.llm.bench;

import io.eimf.core.json.Json;
import io.eimf.llm.api.InterestRequest;
import io.eimf.llm.api.InterestResponse;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * The load benchmark's lean client: blocking HTTP/1.1 over one keep-alive socket, one instance per client thread
 * (not thread-safe). The JDK HttpClient hands every exchange between its selector thread and executor threads,
 * CPU that a benchmark of the service should not charge to it; the benchmark runs either ({@code --client}), so
 * the difference is measured. Speaks just enough HTTP for the llm-service: Content-Length or chunked responses,
 * reconnecting when the server has closed a kept-alive connection.
 */
final class SocketHttpClient implements AutoCloseable {
    private final String host;
    private final int port;
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    SocketHttpClient(String baseUrl) {
        URI u = URI.create(baseUrl);
        this.host = u.getHost();
        this.port = u.getPort();
    }

    /** POSTs the request to /v1/interests; a non-200 answer is an exception naming the status and body. */
    InterestResponse interests(InterestRequest r) throws IOException {
        byte[] body = Json.mapper().writeValueAsBytes(r);
        String head = "POST /v1/interests HTTP/1.1\r\nHost: " + host + ":" + port
                + "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: " + body.length
                + "\r\n\r\n";
        boolean fresh = socket == null;
        if (fresh) connect();
        try {
            return exchange(head, body);
        } catch (IOException e) {
            // A kept-alive connection the server closed meanwhile: retry once on a new one (the request is
            // idempotent). A fresh connection failing is a real error.
            close();
            if (fresh) throw e;
            connect();
            return exchange(head, body);
        }
    }

    private InterestResponse exchange(String head, byte[] body) throws IOException {
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
        String status = line();
        if (status == null) throw new IOException("connection closed before the response");
        int code = Integer.parseInt(status.split(" ")[1]);
        long length = -1;
        boolean chunked = false;
        boolean closeAfter = false;
        for (String h = line(); h != null && !h.isEmpty(); h = line()) {
            int c = h.indexOf(':');
            if (c < 0) continue;
            String name = h.substring(0, c).trim();
            String value = h.substring(c + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) length = Long.parseLong(value);
            else if (name.equalsIgnoreCase("Transfer-Encoding")) chunked = value.equalsIgnoreCase("chunked");
            else if (name.equalsIgnoreCase("Connection")) closeAfter = value.equalsIgnoreCase("close");
        }
        byte[] payload;
        if (chunked) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (long n = Long.parseLong(line().split(";")[0].trim(), 16); n > 0;
                 n = Long.parseLong(line().split(";")[0].trim(), 16)) {
                b.write(in.readNBytes((int) n));
                line();
            }
            for (String t = line(); t != null && !t.isEmpty(); t = line()) {
                // trailers: none expected
            }
            payload = b.toByteArray();
        } else if (length >= 0) {
            payload = in.readNBytes((int) length);
            if (payload.length < length) throw new IOException("connection closed inside the response body");
        } else {
            payload = in.readAllBytes();
            closeAfter = true;
        }
        if (closeAfter) close();
        if (code != 200) {
            throw new IOException("HTTP " + code + ": " + new String(payload, StandardCharsets.UTF_8));
        }
        return Json.mapper().readValue(payload, InterestResponse.class);
    }

    /** Opens the connection now (otherwise the first request does). */
    void connect() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 10_000);
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    }

    /** One CRLF-terminated header line without the CRLF, or null at end of stream. */
    private String line() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int n = sb.length();
                if (n > 0 && sb.charAt(n - 1) == '\r') sb.setLength(n - 1);
                return sb.toString();
            }
            sb.append((char) c);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing: nothing to recover
            }
        }
        socket = null;
    }
}
