package io.eimf.llm.api;

/**
 * The body of every non-2xx answer.
 *
 * @param status the HTTP status
 * @param error what was wrong, naming the field or limit
 */
public record ErrorBody(int status, String error) {}
