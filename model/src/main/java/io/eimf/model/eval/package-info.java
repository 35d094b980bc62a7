/** Full-ranking evaluation (Recall, HitRate, NDCG) with its protocol recorded beside every number. */
package io.eimf.model.eval;
