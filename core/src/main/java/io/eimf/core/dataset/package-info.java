/** The prepared-dataset contract (manifest, items, per-user sequences, split roles) shared by every stage. */
package io.eimf.core.dataset;
