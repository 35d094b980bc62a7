package io.eimf.mlflow.rest;

import io.eimf.core.cli.EimfException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One HTTP exchange whose whole response, body included, must fit in a byte cap and arrive before a deadline. The
 * JDK client's request timeout stops at the response headers, so a server that trickles or never ends its body
 * would otherwise hold a caller (and fill its disk or heap) forever; here the subscription is cancelled as soon as
 * the cap is passed or the deadline is reached.
 */
final class BoundedBody {
    /** Error bodies are kept up to this many bytes (for the message); the rest is discarded. */
    private static final int ERROR_BODY_BYTES = 64 * 1024;

    private BoundedBody() {}

    /** The status and, for a 2xx answer, the body's size; for other answers the start of the body as text. */
    record Result(int status, long bytes, byte[] memory, String errorBody) {}

    /** A body larger than its cap: not transient, never retried. */
    static final class TooLarge extends EimfException {
        TooLarge(String message) {
            super(message);
        }
    }

    /**
     * Sends {@code req}; a 2xx body goes to {@code file} (or to memory when {@code file} is null), at most
     * {@code maxBytes}, all of it before {@code deadline}.
     *
     * @throws TooLarge when the body passes {@code maxBytes}
     * @throws java.net.http.HttpTimeoutException when the deadline passes first
     */
    static Result send(HttpClient http, HttpRequest req, Path file, long maxBytes, Instant deadline, String what)
            throws IOException, InterruptedException {
        Sink[] sink = new Sink[1];
        CompletableFuture<HttpResponse<Result>> f = http.sendAsync(req, info -> {
            sink[0] = new Sink(info.statusCode(), info.statusCode() / 100 == 2 ? file : null,
                    info.statusCode() / 100 == 2 ? maxBytes : ERROR_BODY_BYTES, info.statusCode() / 100 != 2, what);
            return sink[0];
        });
        long waitMs = Math.max(0, Duration.between(Instant.now(), deadline).toMillis());
        try {
            return f.get(waitMs, TimeUnit.MILLISECONDS).body();
        } catch (TimeoutException e) {
            if (sink[0] != null) sink[0].abort();
            f.cancel(true);
            throw new java.net.http.HttpTimeoutException(what + ": no complete answer within the deadline"
                    + (sink[0] == null ? " (no response headers)" : " (" + sink[0].written + " body bytes so far)"));
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof TooLarge t) throw t;
            if (c instanceof IOException io) throw io;
            throw new IOException(String.valueOf(c.getMessage()), c);
        } catch (InterruptedException e) {
            if (sink[0] != null) sink[0].abort();
            f.cancel(true);
            throw e;
        }
    }

    /** Writes the body to a file or memory, counting bytes and cancelling past the cap. */
    private static final class Sink implements HttpResponse.BodySubscriber<Result> {
        private final int status;
        private final Path file;
        private final long cap;
        private final boolean truncateQuietly;
        private final String what;
        private final CompletableFuture<Result> done = new CompletableFuture<>();
        private final ByteArrayOutputStream memory = new ByteArrayOutputStream();
        private FileChannel channel;
        private volatile Flow.Subscription subscription;
        private volatile long written;

        Sink(int status, Path file, long cap, boolean truncateQuietly, String what) {
            this.status = status;
            this.file = file;
            this.cap = cap;
            this.truncateQuietly = truncateQuietly;
            this.what = what;
        }

        @Override
        public CompletionStage<Result> getBody() {
            return done;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            try {
                if (file != null) {
                    channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING);
                }
            } catch (IOException e) {
                fail(e);
                return;
            }
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (done.isDone()) return;
            try {
                for (ByteBuffer b : items) {
                    int n = b.remaining();
                    if (written + n > cap) {
                        if (truncateQuietly) {
                            continue; // an error page: its start is enough for the message
                        }
                        fail(new TooLarge(what + ": the body is larger than the limit of " + cap + " bytes"));
                        return;
                    }
                    written += n;
                    if (channel != null) {
                        while (b.hasRemaining()) channel.write(b);
                    } else {
                        byte[] a = new byte[n];
                        b.get(a);
                        memory.write(a, 0, n);
                    }
                }
            } catch (IOException e) {
                fail(e);
                return;
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable t) {
            closeChannel();
            done.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            closeChannel();
            String err = status / 100 == 2 ? null : memory.toString(java.nio.charset.StandardCharsets.UTF_8);
            done.complete(new Result(status, written, channel == null && status / 100 == 2 ? memory.toByteArray() : null, err));
        }

        void abort() {
            Flow.Subscription s = subscription;
            if (s != null) s.cancel();
            closeChannel();
        }

        private void fail(Throwable t) {
            abort();
            done.completeExceptionally(t);
        }

        private void closeChannel() {
            try {
                if (channel != null) channel.close();
            } catch (IOException ignored) {
                // the body is refused or complete; a failed close changes nothing the caller checks
            }
        }
    }
}
