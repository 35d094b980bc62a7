/** Training: the trainer, sampled softmax, negative sampling, checkpoints and listeners. */
package io.eimf.model.train;
