/** A bounded, batched, retrying worker pool for many calls to a slow or flaky service. */
package io.eimf.core.pool;
