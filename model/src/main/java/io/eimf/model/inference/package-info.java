/** Serving-time inference in plain Java: interest forward passes, item scoring and top-N retrieval. */
package io.eimf.model.inference;
