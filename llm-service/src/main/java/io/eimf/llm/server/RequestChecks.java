package io.eimf.llm.server;

import io.eimf.llm.api.InterestItem;
import io.eimf.llm.api.InterestRequest;
import io.eimf.llm.config.LlmServiceConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Field and size checks of incoming requests: 400 for malformed fields, 413 for limits, each naming the field. */
public final class RequestChecks {
    private final LlmServiceConfig c;

    public RequestChecks(LlmServiceConfig c) {
        this.c = c;
    }

    /** Checks one interest request; {@code at} prefixes field names (e.g. {@code requests[3].}). */
    public void interests(InterestRequest r, String at) {
        if (r == null) throw new HttpError(400, at + "missing request");
        List<InterestItem> items = r.items();
        if (items.isEmpty()) throw new HttpError(400, at + "items: empty; at least one item is needed");
        if (items.size() > c.maxItems()) {
            throw new HttpError(413, at + "items: " + items.size() + " items; the limit is " + c.maxItems()
                    + " (setting maxItems)");
        }
        if (r.minInterests() < 1) throw new HttpError(400, at + "minInterests must be >= 1, got " + r.minInterests());
        if (r.maxInterests() < r.minInterests()) {
            throw new HttpError(400, at + "maxInterests (" + r.maxInterests() + ") is below minInterests ("
                    + r.minInterests() + ")");
        }
        if (r.maxInterests() > c.maxInterests()) {
            throw new HttpError(400, at + "maxInterests " + r.maxInterests() + " exceeds the limit "
                    + c.maxInterests() + " (setting maxInterests)");
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            InterestItem it = items.get(i);
            String f = at + "items[" + i + "]";
            if (it.id().isBlank()) throw new HttpError(400, f + ".id is empty");
            Integer prev = seen.put(it.id().strip(), i);
            if (prev != null) throw new HttpError(400, f + ".id '" + it.id() + "' repeats items[" + prev + "]");
            if (it.text().isBlank()) throw new HttpError(400, f + ".text is empty");
            if (it.text().length() > c.maxTextChars()) {
                throw new HttpError(413, f + ".text: " + it.text().length() + " characters; the limit is "
                        + c.maxTextChars() + " (setting maxTextChars)");
            }
        }
    }

    /** Checks a batch's size, then each request. */
    public void batch(List<InterestRequest> requests) {
        if (requests.isEmpty()) throw new HttpError(400, "requests: empty");
        if (requests.size() > c.maxBatch()) {
            throw new HttpError(413, "requests: " + requests.size() + " requests; the limit is " + c.maxBatch()
                    + " (setting maxBatch)");
        }
        for (int i = 0; i < requests.size(); i++) interests(requests.get(i), "requests[" + i + "].");
    }

    /** Checks the texts of an embed request. */
    public void embed(List<String> texts) {
        if (texts.isEmpty()) throw new HttpError(400, "texts: empty");
        if (texts.size() > c.maxBatch()) {
            throw new HttpError(413, "texts: " + texts.size() + " texts; the limit is " + c.maxBatch()
                    + " (setting maxBatch)");
        }
        for (int i = 0; i < texts.size(); i++) {
            String t = texts.get(i);
            if (t == null) throw new HttpError(400, "texts[" + i + "] is null");
            if (t.length() > c.maxTextChars()) {
                throw new HttpError(413, "texts[" + i + "]: " + t.length() + " characters; the limit is "
                        + c.maxTextChars() + " (setting maxTextChars)");
            }
        }
    }
}
