/** The training-step and evaluation benchmark ({@code eimf bench train}). */
package io.eimf.model.bench;
