/** The interest-naming prompt and the validator of the model's answer. */
package io.eimf.llm.prompt;
