/** The llm-service HTTP server and its command. */
package io.eimf.llm.server;
