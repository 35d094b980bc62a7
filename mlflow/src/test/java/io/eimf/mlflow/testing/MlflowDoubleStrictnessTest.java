package io.eimf.mlflow.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The double refuses what a real server would refuse, loudly, instead of guessing. */
class MlflowDoubleStrictnessTest {
    private static MlflowDouble d;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        d = new MlflowDouble();
    }

    @AfterAll
    static void stop() {
        d.close();
    }

    private static HttpResponse<String> send(String method, String path, String body, String contentType) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(d.uri() + path));
        if (contentType != null) b.header("Content-Type", contentType);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void unknownEndpointIs404() throws Exception {
        HttpResponse<String> r = send("POST", "/api/2.0/mlflow/runs/frobnicate", "{}", "application/json");
        assertEquals(404, r.statusCode());
        assertTrue(r.body().contains("ENDPOINT_NOT_FOUND"), r.body());
    }

    @Test
    void wrongMethodIs405() throws Exception {
        assertEquals(405, send("GET", "/api/2.0/mlflow/runs/create", null, null).statusCode());
    }

    @Test
    void unknownFieldIs400() throws Exception {
        HttpResponse<String> r = send("POST", "/api/2.0/mlflow/experiments/create",
                "{\"name\":\"x\",\"colour\":\"blue\"}", "application/json");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("INVALID_PARAMETER_VALUE") && r.body().contains("colour"), r.body());
    }

    @Test
    void wrongTypeIs400() throws Exception {
        HttpResponse<String> r = send("POST", "/api/2.0/mlflow/runs/create", "{\"start_time\":\"yesterday\"}", "application/json");
        assertEquals(400, r.statusCode(), r.body());
    }

    @Test
    void missingRequiredFieldIs400() throws Exception {
        HttpResponse<String> r = send("POST", "/api/2.0/mlflow/model-versions/create", "{\"name\":\"m\"}", "application/json");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("Missing value for required parameter 'source'"), r.body());
    }

    @Test
    void emptyStringCountsAsMissing() throws Exception {
        HttpResponse<String> r = send("POST", "/api/2.0/mlflow/registered-models/create", "{\"name\":\"\"}", "application/json");
        assertEquals(400, r.statusCode(), r.body());
    }

    @Test
    void malformedJsonIs400() throws Exception {
        assertEquals(400, send("POST", "/api/2.0/mlflow/experiments/create", "{name:", "application/json").statusCode());
    }

    @Test
    void nonJsonContentTypeIs400() throws Exception {
        assertEquals(400, send("POST", "/api/2.0/mlflow/experiments/create", "{\"name\":\"x\"}", "text/plain").statusCode());
    }

    @Test
    void unknownQueryParameterIs400() throws Exception {
        HttpResponse<String> r = send("GET", "/api/2.0/mlflow/runs/get?run_id=abc&verbose=1", null, null);
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("verbose"), r.body());
    }

    @Test
    void missingRunIs404WithMlflowErrorCode() throws Exception {
        HttpResponse<String> r = send("GET", "/api/2.0/mlflow/runs/get?run_id=abc", null, null);
        assertEquals(404, r.statusCode());
        assertTrue(r.body().contains("RESOURCE_DOES_NOT_EXIST"), r.body());
    }

    @Test
    void knownButUnimplementedEndpointIs501() throws Exception {
        HttpResponse<String> r = send("POST", "/api/2.0/mlflow/experiments/restore", "{\"experiment_id\":\"0\"}", "application/json");
        assertEquals(501, r.statusCode());
    }

    @Test
    void paramValuesCannotChange() throws Exception {
        String run = send("POST", "/api/2.0/mlflow/runs/create", "{\"experiment_id\":\"0\"}", "application/json").body();
        String id = run.replaceAll("(?s).*\"run_id\": ?\"([0-9a-f]+)\".*", "$1");
        assertEquals(200, send("POST", "/api/2.0/mlflow/runs/log-parameter",
                "{\"run_id\":\"" + id + "\",\"key\":\"lr\",\"value\":\"0.1\"}", "application/json").statusCode());
        HttpResponse<String> r = send("POST", "/api/2.0/mlflow/runs/log-parameter",
                "{\"run_id\":\"" + id + "\",\"key\":\"lr\",\"value\":\"0.2\"}", "application/json");
        assertEquals(400, r.statusCode(), r.body());
        assertEquals(400, send("POST", "/api/2.0/mlflow/runs/log-parameter",
                "{\"run_id\":\"" + id + "\",\"key\":\"recall@50\",\"value\":\"1\"}", "application/json").statusCode());
    }
}
