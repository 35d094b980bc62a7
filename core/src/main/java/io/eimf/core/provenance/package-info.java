/** The tool version recorded as provenance in every output. */
package io.eimf.core.provenance;
