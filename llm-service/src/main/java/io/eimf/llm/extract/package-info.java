/** Interest extraction: from a prompt to validated interests through a provider, with listeners for cost. */
package io.eimf.llm.extract;
