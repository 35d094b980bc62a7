/** The ESIM contracts: clusters, typical samples and the semantic-interest dataset. */
package io.eimf.core.semantic;
