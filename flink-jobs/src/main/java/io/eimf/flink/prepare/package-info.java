/** The prepare job: parse, filter, order, densify ids and split, on Flink or the single-threaded engine. */
package io.eimf.flink.prepare;
