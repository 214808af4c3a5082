package dev.knowgate.monitor.flagging;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The Theil-Sen slope: the median of the slopes between every pair of points. One outlier among a
 * handful of versions cannot make a flat series look rising, which a least-squares fit can.
 */
public final class TheilSen {

    private TheilSen() {
    }

    /** @param x strictly increasing positions; @param y values */
    public static double slope(double[] x, double[] y) {
        List<Double> slopes = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            for (int j = i + 1; j < x.length; j++) {
                if (x[j] != x[i]) {
                    slopes.add((y[j] - y[i]) / (x[j] - x[i]));
                }
            }
        }
        if (slopes.isEmpty()) {
            return 0;
        }
        Collections.sort(slopes);
        int n = slopes.size();
        return n % 2 == 1 ? slopes.get(n / 2) : (slopes.get(n / 2 - 1) + slopes.get(n / 2)) / 2;
    }
}
