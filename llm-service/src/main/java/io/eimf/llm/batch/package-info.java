/** The batch {@code extract} client: prompts for typical users, concurrency, and its resumable journal. */
package io.eimf.llm.batch;
