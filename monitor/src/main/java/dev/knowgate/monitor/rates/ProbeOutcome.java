package dev.knowgate.monitor.rates;

import dev.knowgate.contracts.Category;

/**
 * One probe's result under one version: its SliCK category and whether greedy decoding on the
 * plain question gave the gold answer (the fixed definition of "answered correctly").
 */
public record ProbeOutcome(Category category, boolean correct) {
}
