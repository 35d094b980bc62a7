/** Backoff between retries (exponential with full jitter), shared by every client that retries. */
package io.eimf.core.retry;
