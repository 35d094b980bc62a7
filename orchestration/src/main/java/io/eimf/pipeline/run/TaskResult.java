package io.eimf.pipeline.run;

import java.nio.file.Path;

/**
 * What a finished task leaves for the tasks after it.
 *
 * @param id task id
 * @param key content key (hex SHA-256)
 * @param dir the task's immutable folder (task.json, stdout.txt, out/)
 * @param output the folder {@code ${id}} resolves to: {@code dir/out} when the task writes one, else {@code dir}
 * @param cached true when a previous run had already produced it
 * @param seconds how long it ran (0 when cached)
 * @param stdout what the command printed to stdout (its results)
 */
public record TaskResult(String id, String key, Path dir, Path output, boolean cached, double seconds, String stdout) {}
