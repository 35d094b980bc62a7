/** File helpers every module shares: atomic output, content hashes and tab-separated escaping. */
package io.eimf.core.io;
