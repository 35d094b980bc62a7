package io.eimf.llm.provider;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import io.eimf.llm.retry.RetryAfter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/**
 * The HTTP client the LangChain4j chat models use here: the JDK HttpClient, like LangChain4j's default, except that
 * an error answer keeps its {@code Retry-After} header ({@link Failure#retryAfter}), which LangChain4j's own client
 * drops, so that the retry policy can wait as long as a rate-limiting upstream asks. Non-streaming calls only.
 */
final class RetryAfterHttpClient implements HttpClient {
    private final java.net.http.HttpClient http;
    private final Duration readTimeout;

    private RetryAfterHttpClient(Duration connectTimeout, Duration readTimeout) {
        java.net.http.HttpClient.Builder b = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1);
        if (connectTimeout != null) b.connectTimeout(connectTimeout);
        this.http = b.build();
        this.readTimeout = readTimeout;
    }

    /** An HTTP error answer with the upstream's Retry-After, when it sent a usable one. */
    static final class Failure extends HttpException {
        private final transient Duration retryAfter;

        Failure(int status, String body, Duration retryAfter) {
            super(status, body);
            this.retryAfter = retryAfter;
        }

        /** How long the upstream asked to wait, or null. */
        Duration retryAfter() {
            return retryAfter;
        }
    }

    /** The builder LangChain4j's model builders take ({@code httpClientBuilder(...)}). */
    static HttpClientBuilder builder() {
        return new HttpClientBuilder() {
            private Duration connect;
            private Duration read;

            @Override
            public Duration connectTimeout() {
                return connect;
            }

            @Override
            public HttpClientBuilder connectTimeout(Duration d) {
                connect = d;
                return this;
            }

            @Override
            public Duration readTimeout() {
                return read;
            }

            @Override
            public HttpClientBuilder readTimeout(Duration d) {
                read = d;
                return this;
            }

            @Override
            public HttpClient build() {
                return new RetryAfterHttpClient(connect, read);
            }
        };
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(URI.create(request.url()));
        if (readTimeout != null) b.timeout(readTimeout);
        request.headers().forEach((name, values) -> values.forEach(v -> b.header(name, v)));
        java.net.http.HttpRequest.BodyPublisher body = request.body() == null
                ? java.net.http.HttpRequest.BodyPublishers.noBody()
                : java.net.http.HttpRequest.BodyPublishers.ofString(request.body());
        b.method(request.method().name(), body);
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RuntimeException(e); // timeouts and refused connections: classified by cause
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeException(e);
        }
        if (r.statusCode() / 100 != 2) {
            throw new Failure(r.statusCode(), r.body(),
                    RetryAfter.parse(r.headers().firstValue("Retry-After").orElse(null), Instant.now()));
        }
        return SuccessfulHttpResponse.builder().statusCode(r.statusCode()).headers(r.headers().map())
                .body(r.body()).build();
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        throw new UnsupportedOperationException("streaming is not used by the llm-service");
    }
}
