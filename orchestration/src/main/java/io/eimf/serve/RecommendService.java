package io.eimf.serve;

import com.fasterxml.jackson.databind.JsonNode;
import io.eimf.core.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The recommendation endpoint without HTTP: validates a request, maps raw item ids, asks the current model and
 * builds the answer. The model is read once per request from an {@link AtomicReference}, so a swap never mixes two
 * models inside one answer and never blocks a request.
 */
public final class RecommendService {
    /** Most history items a request may send. */
    public static final int DEFAULT_MAX_HISTORY = 1000;
    /** Largest n a request may ask for. */
    public static final int DEFAULT_MAX_N = 1000;

    private final AtomicReference<ServingModel> model;
    private final ServeMetrics metrics;
    private final int maxHistory;
    private final int maxN;

    public RecommendService(AtomicReference<ServingModel> model, ServeMetrics metrics, int maxHistory, int maxN) {
        this.model = model;
        this.metrics = metrics;
        this.maxHistory = maxHistory;
        this.maxN = maxN;
    }

    /** One recommended item. */
    public record Recommended(String item, String title, float score, int interest) {}

    /**
     * The answer.
     *
     * @param model which model answered
     * @param version its registry version (null for a folder)
     * @param items best first
     * @param ignored unknown history items dropped because the request allowed it
     */
    public record Answer(String model, String version, List<Recommended> items, List<String> ignored) {}

    /** Parses and answers a JSON request body. */
    public Answer recommend(String body) {
        JsonNode req;
        try {
            req = Json.mapper().readTree(body);
        } catch (Exception e) {
            throw new RecommendRequestException(400, "body is not valid JSON");
        }
        if (req == null || !req.isObject()) {
            throw new RecommendRequestException(400, "body must be a JSON object like {\"history\": [\"12\", \"7\"], \"n\": 50}"
                    + " (optional: \"ignoreUnknown\": true, \"excludeHistory\": true)");
        }
        JsonNode h = req.get("history");
        if (h == null || !h.isArray()) throw new RecommendRequestException(400, "field 'history' must be an array of item ids");
        if (h.isEmpty()) throw new RecommendRequestException(400, "field 'history' is empty: at least one item is needed");
        if (h.size() > maxHistory) {
            throw new RecommendRequestException(413, "field 'history' has " + h.size() + " items; at most " + maxHistory);
        }
        List<String> history = new ArrayList<>(h.size());
        for (int i = 0; i < h.size(); i++) {
            JsonNode x = h.get(i);
            if (!(x.isTextual() || x.isIntegralNumber())) {
                throw new RecommendRequestException(400, "history[" + i + "] must be an item id (string or integer)");
            }
            history.add(x.asText());
        }
        JsonNode nn = req.get("n");
        int n = 10;
        if (nn != null) {
            if (!nn.isIntegralNumber() || nn.asLong() < 1 || nn.asLong() > maxN) {
                throw new RecommendRequestException(400, "field 'n' must be an integer in 1.." + maxN);
            }
            n = nn.asInt();
        }
        return recommend(history, n, flag(req, "ignoreUnknown"), flag(req, "excludeHistory"));
    }

    private static boolean flag(JsonNode req, String field) {
        JsonNode v = req.get(field);
        if (v == null || v.isNull()) return false;
        if (!v.isBoolean()) throw new RecommendRequestException(400, "field '" + field + "' must be true or false");
        return v.asBoolean();
    }

    /** Answers a parsed request, keeping items the user already has (the evaluated protocol). */
    public Answer recommend(List<String> history, int n, boolean ignoreUnknown) {
        return recommend(history, n, ignoreUnknown, false);
    }

    /**
     * Answers a parsed request. With {@code excludeHistory} the model is asked for n + |history| items and the
     * history's are dropped, so the answer still has n items where the catalogue allows.
     */
    public Answer recommend(List<String> history, int n, boolean ignoreUnknown, boolean excludeHistory) {
        ServingModel m = model.get();
        if (m == null) throw new RecommendRequestException(503, "no model loaded yet");
        int[] ids = new int[history.size()];
        int k = 0;
        List<String> unknown = new ArrayList<>();
        for (String raw : history) {
            int id = m.itemId(raw);
            if (id < 0) unknown.add(raw);
            else ids[k++] = id;
        }
        if (!unknown.isEmpty()) {
            metrics.unknownItems(unknown.size());
            if (!ignoreUnknown || k == 0) {
                String list = String.join(", ", unknown.subList(0, Math.min(10, unknown.size())))
                        + (unknown.size() > 10 ? ", ..." : "");
                throw new RecommendRequestException(422, (k == 0 && ignoreUnknown ? "no known item in 'history'; " : "")
                        + unknown.size() + " unknown item id(s) for model " + m.describe() + ": " + list
                        + (ignoreUnknown ? "" : " (send \"ignoreUnknown\": true to drop them)"));
            }
        }
        int[] known = k == ids.length ? ids : java.util.Arrays.copyOf(ids, k);
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        if (excludeHistory) for (int id : known) seen.add(id);
        ServingModel.Ranked r = m.recommend(known, Math.min(n + seen.size(), m.numItems()));
        List<Recommended> items = new ArrayList<>(n);
        for (int i = 0; i < r.items().length && items.size() < n; i++) {
            if (seen.contains(r.items()[i])) continue;
            items.add(new Recommended(m.rawId(r.items()[i]), m.title(r.items()[i]), r.scores()[i], r.interests()[i]));
        }
        return new Answer(m.describe(), m.version(), items, unknown);
    }

    /** The JSON of an answer. */
    public static String toJson(Answer a, double tookMs) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", a.model());
        o.put("version", a.version());
        o.put("items", a.items());
        if (!a.ignored().isEmpty()) o.put("ignored", a.ignored());
        o.put("tookMs", Math.round(tookMs * 1000) / 1000.0);
        return Json.write(o);
    }
}
