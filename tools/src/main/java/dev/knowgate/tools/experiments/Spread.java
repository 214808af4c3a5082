package dev.knowgate.tools.experiments;

import org.apache.commons.math3.stat.descriptive.SummaryStatistics;

import java.util.Collection;

/**
 * Mean and spread of one measurement over repeats (seeds): sample standard deviation (n - 1; 0 for a
 * single value), minimum and maximum of {@code n} values.
 */
public record Spread(int n, double mean, double std, double min, double max) {

    public static Spread of(Collection<? extends Number> values) {
        if (values.isEmpty()) {
            return new Spread(0, 0, 0, 0, 0);
        }
        SummaryStatistics stats = new SummaryStatistics();
        values.forEach(v -> stats.addValue(v.doubleValue()));
        return new Spread(values.size(), stats.getMean(), values.size() > 1 ? stats.getStandardDeviation() : 0,
                stats.getMin(), stats.getMax());
    }
}
