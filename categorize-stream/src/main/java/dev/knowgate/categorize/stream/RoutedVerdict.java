package dev.knowgate.categorize.stream;

import dev.knowgate.contracts.Route;
import dev.knowgate.contracts.Verdict;

/** One verdict on an example and where it sent the example. */
public record RoutedVerdict(Verdict verdict, Route route) {
}
