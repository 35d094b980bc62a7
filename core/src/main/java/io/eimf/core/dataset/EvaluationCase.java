package io.eimf.core.dataset;

/**
 * One user's evaluation input and targets.
 *
 * @param user dense user id
 * @param history model input, in time order
 * @param targets the held-out items to retrieve
 */
public record EvaluationCase(int user, int[] history, int[] targets) {}
