package io.eimf.mlflow.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.eimf.core.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mlflow.api.proto.MlflowArtifacts;
import org.mlflow.api.proto.ModelRegistry;
import org.mlflow.api.proto.Service;
import org.mlflow_project.databricks.Databricks;
import org.mlflow_project.google.protobuf.Descriptors;
import org.mlflow_project.google.protobuf.DynamicMessage;
import org.mlflow_project.google.protobuf.InvalidProtocolBufferException;
import org.mlflow_project.google.protobuf.Message;
import org.mlflow_project.google.protobuf.util.JsonFormat;

/**
 * A strict in-JVM stand-in for an MLflow 2.17 tracking server with {@code --serve-artifacts}, speaking MLflow's
 * REST JSON. Its route table is read from the {@code rpc} options of the proto services inside the mlflow-client
 * jar (Service, ModelRegistry, MlflowArtifacts), request bodies are parsed with protobuf's JsonFormat into those
 * request messages (unknown fields rejected), required fields come from the protos' {@code validate_required}
 * option. Unknown endpoints answer 404, wrong methods 405, malformed requests 400 INVALID_PARAMETER_VALUE, known
 * endpoints it does not implement 501: it fails loudly rather than guess.
 */
public final class MlflowDouble implements AutoCloseable {
    private static final String API = "/api/2.0";
    private static final Pattern KEY_OK = Pattern.compile("^[/\\w.\\- :]*$");

    /** One route from the protos. */
    private record Route(String httpMethod, String path, boolean prefix, Descriptors.MethodDescriptor method) {}

    private final List<Route> routes = new ArrayList<>();
    private final HttpServer server;
    private final AtomicInteger ids = new AtomicInteger(1);
    private final Map<String, Integer> calls = Collections.synchronizedMap(new TreeMap<>());

    // State, guarded by this.
    private final Map<String, Service.Experiment.Builder> experiments = new LinkedHashMap<>();
    private final Map<String, RunState> runs = new LinkedHashMap<>();
    private final Map<String, ModelState> models = new LinkedHashMap<>();
    private final Map<String, byte[]> artifacts = new TreeMap<>();

    private static final class RunState {
        Service.RunInfo.Builder info;
        final Map<String, String> params = new LinkedHashMap<>();
        final Map<String, String> tags = new LinkedHashMap<>();
        final Map<String, List<Service.Metric>> metrics = new LinkedHashMap<>();
    }

    private static final class ModelState {
        ModelRegistry.RegisteredModel.Builder model;
        final Map<String, String> tags = new LinkedHashMap<>();
        final Map<String, String> aliases = new TreeMap<>();
        final List<ModelRegistry.ModelVersion.Builder> versions = new ArrayList<>();
        final Map<String, Map<String, String>> versionTags = new LinkedHashMap<>();
    }

    static {
        // Without TCP_NODELAY the JDK server's small responses wait ~40 ms for delayed ACKs on every request.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** Starts on a free loopback port. */
    public MlflowDouble() throws IOException {
        for (Descriptors.FileDescriptor fd : List.of(Service.getDescriptor(), ModelRegistry.getDescriptor(),
                MlflowArtifacts.getDescriptor())) {
            for (Descriptors.ServiceDescriptor s : fd.getServices()) {
                for (Descriptors.MethodDescriptor m : s.getMethods()) {
                    for (Databricks.HttpEndpoint e : m.getOptions().getExtension(Databricks.rpc).getEndpointsList()) {
                        String p = e.getPath().startsWith("/") ? e.getPath() : "/" + e.getPath();
                        boolean prefix = p.contains("<path:");
                        if (prefix) p = p.substring(0, p.indexOf("<path:"));
                        routes.add(new Route(e.getMethod(), API + p, prefix, m));
                    }
                }
            }
        }
        Service.Experiment.Builder def = Service.Experiment.newBuilder().setExperimentId("0").setName("Default")
                .setArtifactLocation("mlflow-artifacts:/0").setLifecycleStage("active")
                .setCreationTime(System.currentTimeMillis()).setLastUpdateTime(System.currentTimeMillis());
        experiments.put("0", def);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The tracking URI, e.g. http://127.0.0.1:PORT. */
    public String uri() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** How many requests reached the proto method {@code name} (e.g. "createRun"), failed ones included. */
    public int calls(String name) {
        return calls.getOrDefault(name, 0);
    }

    /** Number of runs on the double. */
    public synchronized int runCount() {
        return runs.size();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ---------------------------------------------------------------- HTTP plumbing

    /** A request failure with MLflow's error JSON. */
    static final class Fail extends RuntimeException {
        final int status;
        final String code;

        Fail(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    private static Fail bad(String message) {
        return new Fail(400, "INVALID_PARAMETER_VALUE", message);
    }

    private static Fail missing(String what) {
        return new Fail(404, "RESOURCE_DOES_NOT_EXIST", what);
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            serve(ex);
        } catch (IOException | RuntimeException | Error e) {
            System.err.println("MlflowDouble: " + ex.getRequestMethod() + " " + ex.getRequestURI() + " failed: " + e);
            e.printStackTrace();
            throw e;
        } finally {
            ex.close();
        }
    }

    private void serve(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getRawPath();
            String method = ex.getRequestMethod();
            Route route = null;
            boolean pathKnown = false;
            for (Route r : routes) {
                boolean match = r.prefix ? path.startsWith(r.path) && path.length() > r.path.length() : path.equals(r.path);
                if (!match) continue;
                pathKnown = true;
                if (r.httpMethod.equals(method)) {
                    route = r;
                    break;
                }
            }
            if (route == null) {
                if (pathKnown) throw new Fail(405, "BAD_REQUEST", method + " not allowed on " + path);
                throw new Fail(404, "ENDPOINT_NOT_FOUND", "no MLflow endpoint " + method + " " + path);
            }
            calls.merge(route.method.getName(), 1, Integer::sum);
            byte[] body = ex.getRequestBody().readAllBytes();
            if (route.prefix) {
                String artifactPath = URLDecoder.decode(path.substring(route.path.length()), StandardCharsets.UTF_8);
                handleArtifact(ex, route, artifactPath, body);
                return;
            }
            DynamicMessage req = parse(ex, route, body);
            Message resp;
            synchronized (this) {
                resp = dispatch(route.method.getName(), req);
            }
            String json = JsonFormat.printer().preservingProtoFieldNames().print(resp);
            send(ex, 200, json.getBytes(StandardCharsets.UTF_8), "application/json");
        } catch (Fail f) {
            ObjectNode n = Json.mapper().createObjectNode().put("error_code", f.code).put("message", f.getMessage());
            send(ex, f.status, Json.write(n).getBytes(StandardCharsets.UTF_8), "application/json");
        } catch (RuntimeException e) {
            ObjectNode n = Json.mapper().createObjectNode().put("error_code", "INTERNAL_ERROR").put("message", String.valueOf(e));
            send(ex, 500, Json.write(n).getBytes(StandardCharsets.UTF_8), "application/json");
        }
    }

    private static void send(HttpExchange ex, int status, byte[] body, String type) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        }
    }

    /** Parses the query (GET) or JSON body (others) into the route's request message, strictly. */
    private static DynamicMessage parse(HttpExchange ex, Route route, byte[] body) {
        Descriptors.Descriptor type = route.method.getInputType();
        DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
        String json;
        if (route.httpMethod.equals("GET")) {
            ObjectNode o = Json.mapper().createObjectNode();
            String q = ex.getRequestURI().getRawQuery();
            if (q != null && !q.isEmpty()) {
                for (String kv : q.split("&")) {
                    int eq = kv.indexOf('=');
                    String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
                    String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                    Descriptors.FieldDescriptor f = type.findFieldByName(k.replace("[]", ""));
                    if (f == null) throw bad("unknown query parameter '" + k + "' for " + type.getFullName());
                    if (f.isRepeated()) o.withArray(f.getName()).add(v);
                    else if (f.getJavaType() == Descriptors.FieldDescriptor.JavaType.BOOLEAN) o.put(f.getName(), Boolean.parseBoolean(v));
                    else o.put(f.getName(), v);
                }
            }
            json = Json.write(o);
        } else {
            String ct = ex.getRequestHeaders().getFirst("Content-Type");
            if (ct == null || !ct.toLowerCase(Locale.ROOT).startsWith("application/json")) {
                throw bad("Content-Type must be application/json, got " + ct);
            }
            json = new String(body, StandardCharsets.UTF_8);
            if (json.isBlank()) json = "{}";
        }
        try {
            JsonFormat.parser().merge(json, b);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw bad("malformed " + type.getFullName() + " request: " + e.getMessage());
        }
        for (Descriptors.FieldDescriptor f : type.getFields()) {
            if (!f.getOptions().getExtension(Databricks.validateRequired)) continue;
            boolean present = f.isRepeated() ? b.getRepeatedFieldCount(f) > 0 : b.hasField(f);
            if (present && f.getJavaType() == Descriptors.FieldDescriptor.JavaType.STRING && b.getField(f).toString().isEmpty()) {
                present = false;
            }
            if (!present) throw bad("Missing value for required parameter '" + f.getName() + "'.");
        }
        return b.build();
    }

    // ---------------------------------------------------------------- artifacts

    private void handleArtifact(HttpExchange ex, Route route, String path, byte[] body) throws IOException {
        if (path.contains("..") || path.startsWith("/")) throw bad("Invalid path");
        switch (route.method.getName()) {
            case "uploadArtifact" -> {
                synchronized (this) {
                    artifacts.put(path, body);
                }
                send(ex, 200, "{}".getBytes(StandardCharsets.UTF_8), "application/json");
            }
            case "downloadArtifact" -> {
                byte[] data;
                synchronized (this) {
                    data = artifacts.get(path);
                }
                if (data == null) throw missing("File " + path + " not found");
                send(ex, 200, data, "application/octet-stream");
            }
            default -> throw new Fail(501, "NOT_IMPLEMENTED", "double does not implement " + route.method.getName());
        }
    }

    private MlflowArtifacts.ListArtifacts.Response listArtifacts(String path) {
        String prefix = path == null || path.isEmpty() ? "" : path.replaceAll("/+$", "") + "/";
        Map<String, MlflowArtifacts.FileInfo> out = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : artifacts.entrySet()) {
            if (!e.getKey().startsWith(prefix)) continue;
            String rest = e.getKey().substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash < 0) {
                out.put(rest, MlflowArtifacts.FileInfo.newBuilder().setPath(rest).setIsDir(false).setFileSize(e.getValue().length).build());
            } else {
                String dir = rest.substring(0, slash);
                out.putIfAbsent(dir, MlflowArtifacts.FileInfo.newBuilder().setPath(dir).setIsDir(true).build());
            }
        }
        return MlflowArtifacts.ListArtifacts.Response.newBuilder().addAllFiles(out.values()).build();
    }

    // ---------------------------------------------------------------- dispatch

    private static String s(DynamicMessage m, String field) {
        Descriptors.FieldDescriptor f = m.getDescriptorForType().findFieldByName(field);
        return m.hasField(f) ? m.getField(f).toString() : "";
    }

    private static long l(DynamicMessage m, String field, long def) {
        Descriptors.FieldDescriptor f = m.getDescriptorForType().findFieldByName(field);
        return m.hasField(f) ? ((Number) m.getField(f)).longValue() : def;
    }

    @SuppressWarnings("unchecked")
    private static <T extends Message> T as(DynamicMessage m, T prototype) {
        try {
            return (T) prototype.newBuilderForType().mergeFrom(m.toByteString()).build();
        } catch (InvalidProtocolBufferException e) {
            throw bad(e.getMessage());
        }
    }

    private Message dispatch(String method, DynamicMessage m) {
        long now = System.currentTimeMillis();
        switch (method) {
            case "getExperimentByName": {
                String name = s(m, "experiment_name");
                for (Service.Experiment.Builder e : experiments.values()) {
                    if (e.getName().equals(name)) return Service.GetExperimentByName.Response.newBuilder().setExperiment(e).build();
                }
                throw missing("Could not find experiment with name '" + name + "'");
            }
            case "getExperiment": {
                Service.Experiment.Builder e = experiments.get(s(m, "experiment_id"));
                if (e == null) throw missing("No Experiment with id=" + s(m, "experiment_id") + " exists");
                return Service.GetExperiment.Response.newBuilder().setExperiment(e).build();
            }
            case "createExperiment": {
                String name = s(m, "name");
                for (Service.Experiment.Builder e : experiments.values()) {
                    if (e.getName().equals(name)) {
                        throw new Fail(400, "RESOURCE_ALREADY_EXISTS", "Experiment '" + name + "' already exists.");
                    }
                }
                String id = String.valueOf(100 + ids.getAndIncrement());
                experiments.put(id, Service.Experiment.newBuilder().setExperimentId(id).setName(name)
                        .setArtifactLocation("mlflow-artifacts:/" + id).setLifecycleStage("active")
                        .setCreationTime(now).setLastUpdateTime(now));
                return Service.CreateExperiment.Response.newBuilder().setExperimentId(id).build();
            }
            case "createRun": {
                Service.CreateRun req = as(m, Service.CreateRun.getDefaultInstance());
                String exp = req.hasExperimentId() ? req.getExperimentId() : "0";
                if (!experiments.containsKey(exp)) throw missing("No Experiment with id=" + exp + " exists");
                String id = UUID.randomUUID().toString().replace("-", "");
                RunState r = new RunState();
                String name = req.hasRunName() ? req.getRunName() : "run-" + id.substring(0, 6);
                r.info = Service.RunInfo.newBuilder().setRunId(id).setRunUuid(id).setRunName(name).setExperimentId(exp)
                        .setUserId(req.getUserId()).setStatus(Service.RunStatus.RUNNING)
                        .setStartTime(req.hasStartTime() ? req.getStartTime() : now)
                        .setArtifactUri("mlflow-artifacts:/" + exp + "/" + id + "/artifacts").setLifecycleStage("active");
                for (Service.RunTag t : req.getTagsList()) {
                    checkKey("tag", t.getKey());
                    r.tags.put(t.getKey(), t.getValue());
                }
                r.tags.put("mlflow.runName", name);
                runs.put(id, r);
                return Service.CreateRun.Response.newBuilder().setRun(run(r)).build();
            }
            case "getRun": {
                return Service.GetRun.Response.newBuilder().setRun(run(runOf(m))).build();
            }
            case "updateRun": {
                RunState r = runOf(m);
                Service.UpdateRun req = as(m, Service.UpdateRun.getDefaultInstance());
                if (req.hasStatus()) r.info.setStatus(req.getStatus());
                if (req.hasEndTime()) r.info.setEndTime(req.getEndTime());
                if (req.hasRunName()) {
                    r.info.setRunName(req.getRunName());
                    r.tags.put("mlflow.runName", req.getRunName());
                }
                return Service.UpdateRun.Response.newBuilder().setRunInfo(r.info).build();
            }
            case "searchRuns": {
                Service.SearchRuns req = as(m, Service.SearchRuns.getDefaultInstance());
                Map<String, String> conds = filter(req.getFilter(), "tags.");
                Service.SearchRuns.Response.Builder out = Service.SearchRuns.Response.newBuilder();
                for (RunState r : runs.values()) {
                    if (!req.getExperimentIdsList().contains(r.info.getExperimentId())) continue;
                    boolean ok = true;
                    for (Map.Entry<String, String> c : conds.entrySet()) {
                        if (!c.getValue().equals(r.tags.get(c.getKey().substring("tags.".length())))) ok = false;
                    }
                    if (ok) out.addRuns(run(r));
                }
                return out.build();
            }
            case "logParam": {
                Service.LogParam req = as(m, Service.LogParam.getDefaultInstance());
                param(runOf(m), req.getKey(), req.getValue());
                return Service.LogParam.Response.getDefaultInstance();
            }
            case "setTag": {
                Service.SetTag req = as(m, Service.SetTag.getDefaultInstance());
                checkKey("tag", req.getKey());
                runOf(m).tags.put(req.getKey(), req.getValue());
                return Service.SetTag.Response.getDefaultInstance();
            }
            case "logMetric": {
                Service.LogMetric req = as(m, Service.LogMetric.getDefaultInstance());
                metric(runOf(m), Service.Metric.newBuilder().setKey(req.getKey()).setValue(req.getValue())
                        .setTimestamp(req.getTimestamp()).setStep(req.getStep()).build());
                return Service.LogMetric.Response.getDefaultInstance();
            }
            case "logBatch": {
                Service.LogBatch req = as(m, Service.LogBatch.getDefaultInstance());
                if (req.getMetricsCount() > 1000 || req.getParamsCount() > 100 || req.getTagsCount() > 100
                        || req.getMetricsCount() + req.getParamsCount() + req.getTagsCount() > 1000) {
                    throw bad("A batch logging request can contain at most 1000 metrics, 100 params, 100 tags, 1000 in all");
                }
                RunState r = runOf(m);
                for (Service.Param p : req.getParamsList()) param(r, p.getKey(), p.getValue());
                for (Service.RunTag t : req.getTagsList()) {
                    checkKey("tag", t.getKey());
                    r.tags.put(t.getKey(), t.getValue());
                }
                for (Service.Metric mt : req.getMetricsList()) metric(r, mt);
                return Service.LogBatch.Response.getDefaultInstance();
            }
            case "getMetricHistory": {
                RunState r = runOf(m);
                return Service.GetMetricHistory.Response.newBuilder()
                        .addAllMetrics(r.metrics.getOrDefault(s(m, "metric_key"), List.of())).build();
            }
            case "logModel": {
                RunState r = runOf(m);
                JsonNode model;
                try {
                    model = Json.mapper().readTree(s(m, "model_json"));
                } catch (IOException e) {
                    throw bad("model_json is not JSON: " + e.getMessage());
                }
                for (String f : List.of("artifact_path", "flavors", "utc_time_created", "run_id")) {
                    if (model == null || !model.has(f)) throw bad("Model json is missing mandatory fields: " + f);
                }
                List<JsonNode> history = new ArrayList<>();
                try {
                    String old = r.tags.get("mlflow.log-model.history");
                    if (old != null) Json.mapper().readTree(old).forEach(history::add);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                history.add(model);
                r.tags.put("mlflow.log-model.history", Json.write(history));
                return Service.LogModel.Response.getDefaultInstance();
            }
            case "createRegisteredModel": {
                String name = s(m, "name");
                if (models.containsKey(name)) {
                    throw new Fail(400, "RESOURCE_ALREADY_EXISTS", "Registered Model (name=" + name + ") already exists.");
                }
                ModelState ms = new ModelState();
                ms.model = ModelRegistry.RegisteredModel.newBuilder().setName(name).setCreationTimestamp(now)
                        .setLastUpdatedTimestamp(now).setDescription(s(m, "description"));
                models.put(name, ms);
                return ModelRegistry.CreateRegisteredModel.Response.newBuilder().setRegisteredModel(registered(ms)).build();
            }
            case "getRegisteredModel": {
                return ModelRegistry.GetRegisteredModel.Response.newBuilder().setRegisteredModel(registered(modelOf(m))).build();
            }
            case "searchRegisteredModels": {
                ModelRegistry.SearchRegisteredModels.Response.Builder out = ModelRegistry.SearchRegisteredModels.Response.newBuilder();
                if (!s(m, "filter").isEmpty()) throw new Fail(501, "NOT_IMPLEMENTED", "double does not filter registered models");
                for (ModelState ms : models.values()) out.addRegisteredModels(registered(ms));
                return out.build();
            }
            case "createModelVersion": {
                ModelRegistry.CreateModelVersion req = as(m, ModelRegistry.CreateModelVersion.getDefaultInstance());
                ModelState ms = modelOf(m);
                int v = ms.versions.size() + 1;
                ModelRegistry.ModelVersion.Builder mv = ModelRegistry.ModelVersion.newBuilder().setName(req.getName())
                        .setVersion(String.valueOf(v)).setCreationTimestamp(now).setLastUpdatedTimestamp(now)
                        .setCurrentStage("None").setSource(req.getSource()).setRunId(req.getRunId())
                        .setStatus(ModelRegistry.ModelVersionStatus.READY);
                ms.versions.add(mv);
                Map<String, String> tags = new LinkedHashMap<>();
                for (ModelRegistry.ModelVersionTag t : req.getTagsList()) {
                    checkKey("model version tag", t.getKey());
                    tags.put(t.getKey(), t.getValue());
                }
                ms.versionTags.put(String.valueOf(v), tags);
                return ModelRegistry.CreateModelVersion.Response.newBuilder().setModelVersion(version(ms, mv)).build();
            }
            case "getModelVersion": {
                ModelState ms = modelOf(m);
                return ModelRegistry.GetModelVersion.Response.newBuilder()
                        .setModelVersion(version(ms, versionOf(ms, s(m, "version")))).build();
            }
            case "getModelVersionDownloadUri": {
                ModelState ms = modelOf(m);
                return ModelRegistry.GetModelVersionDownloadUri.Response.newBuilder()
                        .setArtifactUri(versionOf(ms, s(m, "version")).getSource()).build();
            }
            case "searchModelVersions": {
                Map<String, String> conds = filter(s(m, "filter"), "");
                ModelRegistry.SearchModelVersions.Response.Builder out = ModelRegistry.SearchModelVersions.Response.newBuilder();
                for (ModelState ms : models.values()) {
                    for (ModelRegistry.ModelVersion.Builder mv : ms.versions) {
                        boolean ok = true;
                        for (Map.Entry<String, String> c : conds.entrySet()) {
                            String actual = switch (c.getKey()) {
                                case "name" -> mv.getName();
                                case "run_id" -> mv.getRunId();
                                case "source_path" -> mv.getSource();
                                default -> throw new Fail(501, "NOT_IMPLEMENTED", "double cannot filter on " + c.getKey());
                            };
                            if (!c.getValue().equals(actual)) ok = false;
                        }
                        if (ok) out.addModelVersions(version(ms, mv));
                    }
                }
                return out.build();
            }
            case "setModelVersionTag": {
                ModelState ms = modelOf(m);
                versionOf(ms, s(m, "version"));
                checkKey("model version tag", s(m, "key"));
                ms.versionTags.get(s(m, "version")).put(s(m, "key"), s(m, "value"));
                return ModelRegistry.SetModelVersionTag.Response.getDefaultInstance();
            }
            case "setRegisteredModelTag": {
                ModelState ms = modelOf(m);
                checkKey("registered model tag", s(m, "key"));
                ms.tags.put(s(m, "key"), s(m, "value"));
                return ModelRegistry.SetRegisteredModelTag.Response.getDefaultInstance();
            }
            case "setRegisteredModelAlias": {
                ModelState ms = modelOf(m);
                versionOf(ms, s(m, "version"));
                String alias = s(m, "alias");
                if (alias.matches("(?i)latest|v[0-9]+")) throw bad("'" + alias + "' is a reserved alias name");
                ms.aliases.put(alias, s(m, "version"));
                return ModelRegistry.SetRegisteredModelAlias.Response.getDefaultInstance();
            }
            case "deleteRegisteredModelAlias": {
                modelOf(m).aliases.remove(s(m, "alias"));
                return ModelRegistry.DeleteRegisteredModelAlias.Response.getDefaultInstance();
            }
            case "getModelVersionByAlias": {
                ModelState ms = modelOf(m);
                String v = ms.aliases.get(s(m, "alias"));
                if (v == null) throw missing("Registered model alias " + s(m, "alias") + " not found.");
                return ModelRegistry.GetModelVersionByAlias.Response.newBuilder().setModelVersion(version(ms, versionOf(ms, v))).build();
            }
            case "transitionModelVersionStage": {
                ModelState ms = modelOf(m);
                ModelRegistry.ModelVersion.Builder mv = versionOf(ms, s(m, "version"));
                String stage = s(m, "stage");
                String canonical = null;
                for (String st : List.of("None", "Staging", "Production", "Archived")) if (st.equalsIgnoreCase(stage)) canonical = st;
                if (canonical == null) throw bad("Invalid Model Version stage: " + stage);
                boolean archive = (Boolean) m.getField(m.getDescriptorForType().findFieldByName("archive_existing_versions"));
                if (archive) {
                    for (ModelRegistry.ModelVersion.Builder o : ms.versions) {
                        if (o != mv && o.getCurrentStage().equals(canonical)) o.setCurrentStage("Archived");
                    }
                }
                mv.setCurrentStage(canonical).setLastUpdatedTimestamp(now);
                return ModelRegistry.TransitionModelVersionStage.Response.newBuilder().setModelVersion(version(ms, mv)).build();
            }
            case "listArtifacts": {
                if (m.getDescriptorForType().getFile() == MlflowArtifacts.getDescriptor()) return listArtifacts(s(m, "path"));
                throw new Fail(501, "NOT_IMPLEMENTED", "double does not implement the tracking listArtifacts");
            }
            default:
                throw new Fail(501, "NOT_IMPLEMENTED", "double does not implement " + method);
        }
    }

    private static Map<String, String> filter(String filter, String requiredPrefix) {
        Map<String, String> out = new LinkedHashMap<>();
        if (filter == null || filter.isBlank()) return out;
        Pattern cond = Pattern.compile("^\\s*([\\w.]+?(?:`[^`]+`)?)\\s*=\\s*'((?:[^'\\\\]|\\\\.)*)'\\s*$");
        for (String part : filter.split("(?i)\\s+and\\s+")) {
            Matcher mt = cond.matcher(part);
            if (!mt.matches()) throw new Fail(501, "NOT_IMPLEMENTED", "double cannot parse filter clause '" + part + "'");
            String key = mt.group(1).replace("`", "");
            if (!key.startsWith(requiredPrefix)) throw new Fail(501, "NOT_IMPLEMENTED", "double cannot filter on " + key);
            out.put(key, mt.group(2).replace("\\'", "'"));
        }
        return out;
    }

    private static void checkKey(String what, String key) {
        if (key.isEmpty() || !KEY_OK.matcher(key).matches() || key.length() > 250) {
            throw bad("Invalid " + what + " name: '" + key + "'");
        }
    }

    private static void param(RunState r, String key, String value) {
        checkKey("param", key);
        if (value.length() > 6000) throw bad("Param value '" + key + "' had length " + value.length() + ", limit 6000");
        String old = r.params.get(key);
        if (old != null && !old.equals(value)) {
            throw bad("Changing param values is not allowed. Param with key='" + key + "' was already logged with value='"
                    + old + "' for run ID='" + r.info.getRunId() + "'. Attempted logging new value '" + value + "'.");
        }
        r.params.put(key, value);
    }

    private static void metric(RunState r, Service.Metric mt) {
        checkKey("metric", mt.getKey());
        if (!mt.hasTimestamp()) throw bad("Missing value for required parameter 'metrics[].timestamp'.");
        r.metrics.computeIfAbsent(mt.getKey(), k -> new ArrayList<>()).add(mt);
    }

    private RunState runOf(DynamicMessage m) {
        String id = s(m, "run_id");
        if (id.isEmpty() && m.getDescriptorForType().findFieldByName("run_uuid") != null) id = s(m, "run_uuid");
        if (id.isEmpty()) throw bad("Missing value for required parameter 'run_id'.");
        RunState r = runs.get(id);
        if (r == null) throw missing("Run '" + id + "' not found");
        return r;
    }

    private static Service.Run run(RunState r) {
        Service.RunData.Builder d = Service.RunData.newBuilder();
        r.params.forEach((k, v) -> d.addParams(Service.Param.newBuilder().setKey(k).setValue(v)));
        r.tags.forEach((k, v) -> d.addTags(Service.RunTag.newBuilder().setKey(k).setValue(v)));
        r.metrics.forEach((k, pts) -> {
            Service.Metric best = null;
            for (Service.Metric p : pts) {
                if (best == null || p.getStep() > best.getStep()
                        || (p.getStep() == best.getStep() && p.getTimestamp() >= best.getTimestamp())) {
                    best = p;
                }
            }
            d.addMetrics(best);
        });
        return Service.Run.newBuilder().setInfo(r.info).setData(d).build();
    }

    private ModelState modelOf(DynamicMessage m) {
        String name = s(m, "name");
        ModelState ms = models.get(name);
        if (ms == null) throw missing("Registered Model with name=" + name + " not found");
        return ms;
    }

    private static ModelRegistry.ModelVersion.Builder versionOf(ModelState ms, String v) {
        for (ModelRegistry.ModelVersion.Builder mv : ms.versions) if (mv.getVersion().equals(v)) return mv;
        throw missing("Model Version (name=" + ms.model.getName() + ", version=" + v + ") not found");
    }

    private static ModelRegistry.RegisteredModel registered(ModelState ms) {
        ModelRegistry.RegisteredModel.Builder b = ms.model.clone().clearTags().clearAliases().clearLatestVersions();
        ms.tags.forEach((k, v) -> b.addTags(ModelRegistry.RegisteredModelTag.newBuilder().setKey(k).setValue(v)));
        ms.aliases.forEach((a, v) -> b.addAliases(ModelRegistry.RegisteredModelAlias.newBuilder().setAlias(a).setVersion(v)));
        return b.build();
    }

    private static ModelRegistry.ModelVersion version(ModelState ms, ModelRegistry.ModelVersion.Builder mv) {
        ModelRegistry.ModelVersion.Builder b = mv.clone().clearTags().clearAliases();
        ms.versionTags.getOrDefault(mv.getVersion(), Map.of())
                .forEach((k, v) -> b.addTags(ModelRegistry.ModelVersionTag.newBuilder().setKey(k).setValue(v)));
        ms.aliases.forEach((a, v) -> {
            if (v.equals(mv.getVersion())) b.addAliases(a);
        });
        return b.build();
    }
}
