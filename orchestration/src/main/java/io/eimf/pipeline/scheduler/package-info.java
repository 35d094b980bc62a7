/** Scheduling tasks within resources, with futures and retries. */
package io.eimf.pipeline.scheduler;
