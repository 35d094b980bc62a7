/** The {@code eimf demo} command: the whole pipeline on embedded defaults. */
package io.eimf.demo;
