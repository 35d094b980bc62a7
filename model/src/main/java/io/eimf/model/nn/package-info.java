/** Neural-network building blocks on ND4J: parameters, layers, ops, initialisation, Adam and the backend. */
package io.eimf.model.nn;
