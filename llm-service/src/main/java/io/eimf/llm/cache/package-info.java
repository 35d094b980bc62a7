/** The content-keyed interest cache (SQLite or JDBC) and single-flight de-duplication of identical calls. */
package io.eimf.llm.cache;
