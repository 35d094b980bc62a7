/** The one JSON mapper configuration used for every file EIMF reads or writes. */
package io.eimf.core.json;
