/** The llm-service benchmark and its load-generating clients. */
package io.eimf.llm.bench;
