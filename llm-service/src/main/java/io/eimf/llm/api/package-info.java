/** The llm-service's HTTP request and response bodies. */
package io.eimf.llm.api;
