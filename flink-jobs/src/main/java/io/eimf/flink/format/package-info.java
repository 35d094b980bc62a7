/** Source formats of raw interaction files and their line parsers, with file:line errors. */
package io.eimf.flink.format;
