/** Downloading public datasets ({@code eimf data fetch}), failing fast and clearly offline. */
package io.eimf.flink.fetch;
