/** The content-addressed work folder: input fingerprints and code versions. */
package io.eimf.pipeline.store;
