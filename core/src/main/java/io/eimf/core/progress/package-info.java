/** Progress lines with rate and ETA for long work, written to stderr. */
package io.eimf.core.progress;
