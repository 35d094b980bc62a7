package io.eimf.flink.format;

import java.util.List;

/** Catalogue information a source has for one raw item id. */
public record ItemMeta(String rawId, String title, List<String> categories) {
    public ItemMeta {
        title = title == null ? "" : title.strip();
        categories = categories == null ? List.of() : List.copyOf(categories);
    }
}
