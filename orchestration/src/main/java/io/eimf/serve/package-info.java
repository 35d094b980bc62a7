/** Serving IBIM models over HTTP from a folder or a registry alias, with hot swap. */
package io.eimf.serve;
