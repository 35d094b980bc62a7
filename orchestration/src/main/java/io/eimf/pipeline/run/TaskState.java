package io.eimf.pipeline.run;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One task's line in a run record ({@code runs/PIPELINE.json}) and in the final table.
 *
 * @param id task id
 * @param kind task kind
 * @param state pending, running, done, cached, failed, skipped
 * @param key content key prefix
 * @param seconds run time of the last attempt
 * @param attempts attempts made
 * @param output the output folder, once done
 * @param log the log file
 * @param error one line saying why it failed or was skipped
 * @param optional whether its failure is tolerated
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskState(String id, String kind, String state, String key, double seconds, int attempts, String output,
                        String log, String error, boolean optional) {
    public TaskState with(String newState, double secs, int att, String out, String err) {
        return new TaskState(id, kind, newState, key, secs, att, out, log, err, optional);
    }
}
