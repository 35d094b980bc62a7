package io.eimf.core.semantic;

/**
 * A typical sample whose extraction failed after every retry: one line of {@code failures.jsonl}.
 *
 * @param user dense user id
 * @param rawUser the source's user id
 * @param cluster its cluster
 * @param attempts requests made for it (in this run and, when resumed, earlier ones)
 * @param reason the last error, as llm-service or the transport reported it
 */
public record ExtractionFailure(int user, String rawUser, int cluster, int attempts, String reason) {}
