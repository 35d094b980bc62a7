package io.eimf.llm.cache;

import io.eimf.core.io.ContentHash;
import io.eimf.core.json.Json;
import io.eimf.llm.api.InterestItem;
import io.eimf.llm.api.InterestRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cache key of an interest request: the full SHA-256 (64 hex characters, never truncated) of a canonical JSON
 * document holding the provider, model, template version, generation parameters (sorted by name) and the
 * normalised input (item ids, texts and categories in order, and the interest count range). The user id is not
 * part of it: two users with the same history get the same answer.
 */
public final class CacheKey {
    private CacheKey() {}

    /** The canonical JSON the key hashes; exposed so a key can be explained. */
    public static String canonical(String provider, String model, String templateVersion,
                                   Map<String, Object> parameters, InterestRequest normalised) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("keyVersion", 1);
        doc.put("provider", provider);
        doc.put("model", model);
        doc.put("templateVersion", templateVersion);
        doc.put("parameters", new TreeMap<>(parameters));
        doc.put("minInterests", normalised.minInterests());
        doc.put("maxInterests", normalised.maxInterests());
        List<Object> items = new ArrayList<>();
        for (InterestItem it : normalised.items()) items.add(List.of(it.id(), it.text(), it.categories()));
        doc.put("items", items);
        return Json.write(doc);
    }

    /** The key: hex SHA-256 of {@link #canonical}. */
    public static String of(String provider, String model, String templateVersion, Map<String, Object> parameters,
                            InterestRequest normalised) {
        return ContentHash.of(canonical(provider, model, templateVersion, parameters, normalised));
    }
}
