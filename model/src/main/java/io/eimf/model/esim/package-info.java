/** ESIM during training: the semantic bank and the modality-alignment and semantic-prediction objectives. */
package io.eimf.model.esim;
