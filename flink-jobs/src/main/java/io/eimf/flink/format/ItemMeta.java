package io.eimf.flink.format;

import java.util.List;

/** Catalogue information a source has for one raw item id. */
public record ItemMeta(String rawId, String title, List<String> categories) {
    public ItemMeta {
        // titles and categories are text: half a surrogate pair (from an escape) becomes U+FFFD rather than
        // failing the UTF-8 writer of items.jsonl
        title = title == null ? "" : Fields.wellFormed(title.strip());
        categories = categories == null ? List.of() : List.copyOf(categories.stream().map(Fields::wellFormed).toList());
    }
}
