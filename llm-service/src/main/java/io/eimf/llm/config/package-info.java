/** The llm-service's configuration: provider, model, cache, limits and auth. */
package io.eimf.llm.config;
