package io.eimf.llm.api;

import java.util.List;

/**
 * One named interest.
 *
 * @param name a short name (a few words)
 * @param description one sentence
 * @param evidence ids of the input items it rests on, each one of the request's item ids
 */
public record Interest(String name, String description, List<String> evidence) {
    public Interest {
        evidence = evidence == null ? List.of() : List.copyOf(evidence);
    }
}
