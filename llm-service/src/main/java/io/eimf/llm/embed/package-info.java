/** In-process text embeddings of interest texts. */
package io.eimf.llm.embed;
