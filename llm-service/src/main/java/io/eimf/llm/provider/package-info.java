/** Chat providers: OpenAI-compatible and Ollama through LangChain4j, in-process GGUF, and the metadata extractor. */
package io.eimf.llm.provider;
