/** Non-learned baselines for the same evaluation protocol (MostPopular). */
package io.eimf.model.baseline;
