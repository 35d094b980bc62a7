/** Synthetic catalogues and users with planted interests, for the demo, tests and benchmarks. */
package io.eimf.core.synth;
