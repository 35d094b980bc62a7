/** The IBIM-only model directory: writing and reading weights, vocabulary and config. */
package io.eimf.model.export;
