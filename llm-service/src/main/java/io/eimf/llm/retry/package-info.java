/** The retry policy for upstream LLM calls and the Retry-After parser. */
package io.eimf.llm.retry;
