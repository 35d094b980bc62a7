package io.eimf.llm.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.eimf.core.json.Json;
import io.eimf.llm.api.BatchInterestRequest;
import io.eimf.llm.api.BatchInterestResponse;
import io.eimf.llm.api.EmbedRequest;
import io.eimf.llm.api.EmbedResponse;
import io.eimf.llm.api.ErrorBody;
import io.eimf.llm.api.Health;
import io.eimf.llm.api.InterestRequest;
import io.eimf.llm.api.InterestResponse;
import io.eimf.llm.retry.RetryAfter;
import io.eimf.llm.retry.RetryPolicy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Java client of the llm-service, used by the pipeline. Thread-safe; one instance per service is enough.
 *
 * <p>Transport failures, 429 and 502/503/504 are retried with {@link RetryPolicy} (the service itself already
 * retries the LLM, so these cover restarts and overload). A {@code Retry-After} on a 429 or 503 (from the service or
 * a proxy in front of it) replaces the jittered wait for that retry; one longer than the policy's maxBackoff fails
 * the call at once instead of holding it open. A failed extraction is not an exception: it comes back as an
 * {@link InterestResponse} with status {@code failed}. Refusals (400, 401, 413) throw {@link LlmServiceException}.
 */
public final class LlmServiceClient {
    private final URI base;
    private final HttpClient http;
    // Volatile: a client configured on one thread is shared by many.
    private volatile String token;
    private volatile Duration timeout = Duration.ofMinutes(5);
    private volatile RetryPolicy retry = new RetryPolicy(3, Duration.ofMillis(250), Duration.ofSeconds(10));

    /** A client of the service at {@code baseUrl}, e.g. {@code http://127.0.0.1:8088}. */
    public LlmServiceClient(String baseUrl) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** Sends {@code Authorization: Bearer token} (the service's --token). */
    public LlmServiceClient withToken(String token) {
        this.token = token;
        return this;
    }

    /** Whole-request timeout (default 5 minutes: a batch may wait for many LLM calls). */
    public LlmServiceClient withTimeout(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout);
        return this;
    }

    /** Retry policy for transport failures, 429 and 502/503/504. */
    public LlmServiceClient withRetry(RetryPolicy retry) {
        this.retry = Objects.requireNonNull(retry);
        return this;
    }

    /** The service's base URI. */
    public URI baseUri() {
        return base;
    }

    /** Interests of one user. */
    public InterestResponse interests(InterestRequest request) {
        return call("POST", "/v1/interests", request, InterestResponse.class);
    }

    /** Interests of several users in one call, answered in order. */
    public List<InterestResponse> interestsBatch(List<InterestRequest> requests) {
        return call("POST", "/v1/interests/batch", new BatchInterestRequest(requests), BatchInterestResponse.class)
                .responses();
    }

    /** Embeddings of texts with the service's embedding model. */
    public EmbedResponse embed(List<String> texts) {
        return call("POST", "/v1/embed", new EmbedRequest(texts), EmbedResponse.class);
    }

    /** The service's health and configuration. */
    public Health health() {
        return call("GET", "/healthz", null, Health.class);
    }

    /** The raw metrics JSON. */
    public String metricsJson() {
        return call("GET", "/metrics", null, String.class);
    }

    private <T> T call(String method, String path, Object body, Class<T> type) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .header("Accept", "application/json");
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (body != null) {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpRequest req = b.build();
        for (int attempt = 0; ; attempt++) {
            int status = 0;
            String text;
            Duration retryAfter = null;
            Exception failure = null;
            try {
                HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                status = r.statusCode();
                text = r.body();
                if (status == 429 || status == 503) {
                    retryAfter = RetryAfter.parse(r.headers().firstValue("Retry-After").orElse(null), Instant.now());
                }
                if (status / 100 == 2) return type == String.class ? type.cast(text) : parse(text, type, path);
            } catch (HttpTimeoutException e) {
                text = "timed out after " + timeout;
                failure = e;
            } catch (IOException e) {
                text = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                failure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LlmServiceException(0, method + " " + base.resolve(path) + ": interrupted", e);
            }
            boolean retriable = status == 0 || status == 429 || status == 502 || status == 503 || status == 504;
            // A Retry-After longer than the policy's maxBackoff is not waited out (as on the upstream side).
            boolean tooLong = retriable && !retry.allows(retryAfter);
            if (!retriable || tooLong || attempt >= retry.maxRetries()) {
                throw new LlmServiceException(status, method + " " + base.resolve(path) + ": "
                        + (status == 0 ? text : "HTTP " + status + ": " + errorText(text))
                        + (attempt > 0 ? " (after " + (attempt + 1) + " attempts)" : "")
                        + (tooLong && attempt < retry.maxRetries() ? " (service asked to retry after "
                                + retryAfter.toMillis() + " ms, longer than maxBackoff: not retried)" : ""), failure);
            }
            try {
                retry.sleep(attempt, retryAfter);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LlmServiceException(0, method + " " + base.resolve(path) + ": interrupted", e);
            }
        }
    }

    private <T> T parse(String text, Class<T> type, String path) {
        try {
            return Json.mapper().readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new LlmServiceException(200, base.resolve(path) + ": answer is not a valid "
                    + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    private static String errorText(String body) {
        try {
            ErrorBody e = Json.mapper().readValue(body, ErrorBody.class);
            if (e.error() != null) return e.error();
        } catch (JsonProcessingException | RuntimeException ignored) {
            // Not our error format (a proxy in between): show the start of the body instead.
        }
        return body == null ? "" : body.length() > 300 ? body.substring(0, 300) + "..." : body;
    }
}
