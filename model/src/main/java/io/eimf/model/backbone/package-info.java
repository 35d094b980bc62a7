/** The IBIM backbones (ComiRec-SA, ComiRec-DR, MIND) with explicit forward and backward passes. */
package io.eimf.model.backbone;
