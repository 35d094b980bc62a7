/** The Java client of the llm-service's HTTP API. */
package io.eimf.llm.client;
