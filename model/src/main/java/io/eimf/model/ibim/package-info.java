/** The IBIM model: its configuration and the trained backbone with item embeddings. */
package io.eimf.model.ibim;
