package dev.knowgate.tools.experiments;

import org.apache.commons.math3.linear.SingularMatrixException;
import org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression;

import java.util.ArrayList;
import java.util.List;

/**
 * Gekhman's linear model, y = b0 + b1 x1 + b2 x2, fitted by ordinary least squares (Commons Math, QR).
 * A regressor that does not vary over the data (a smoke run where no Unknown example was fitted) cannot
 * be estimated: it is left out, its coefficient reported as 0 and named in {@code dropped}, rather than
 * failing the whole report on a singular design.
 *
 * @param beta0     intercept
 * @param beta1     coefficient of x1
 * @param beta2     coefficient of x2
 * @param r2        coefficient of determination, 1 - SS_res / SS_tot (1 when y does not vary and the fit is exact)
 * @param n         data points
 * @param dropped   regressors left out ("x1", "x2", "x2 (collinear with x1)")
 */
public record Ols(double beta0, double beta1, double beta2, double r2, int n, List<String> dropped) {

    private static final double VARIANCE_EPS = 1e-12;
    /** QR pivots below this count as zero: exactly collinear shares are reported, not fitted to noise. */
    private static final double SINGULARITY_THRESHOLD = 1e-10;

    public static Ols fit(double[] x1, double[] x2, double[] y) {
        int n = y.length;
        if (x1.length != n || x2.length != n) {
            throw new IllegalArgumentException("x1, x2 and y must have the same length");
        }
        List<String> dropped = new ArrayList<>();
        boolean use1 = varies(x1);
        boolean use2 = varies(x2);
        if (!use1) {
            dropped.add("x1");
        }
        if (!use2) {
            dropped.add("x2");
        }
        try {
            return fit(x1, x2, y, use1, use2, dropped);
        } catch (SingularMatrixException collinear) {
            if (!use1 || !use2) {
                throw collinear;
            }
            // x2 carries no information beyond x1's here: estimate x1's coefficient alone.
            dropped.add("x2 (collinear with x1)");
            return fit(x1, x2, y, true, false, dropped);
        }
    }

    private static Ols fit(double[] x1, double[] x2, double[] y, boolean use1, boolean use2, List<String> dropped) {
        int n = y.length;
        int k = (use1 ? 1 : 0) + (use2 ? 1 : 0);
        double beta0;
        double beta1 = 0;
        double beta2 = 0;
        if (k == 0) {
            beta0 = mean(y);
        } else {
            if (n <= k + 1) {
                throw new IllegalArgumentException("need more than " + (k + 1) + " data points, got " + n);
            }
            double[][] x = new double[n][k];
            for (int i = 0; i < n; i++) {
                int j = 0;
                if (use1) {
                    x[i][j++] = x1[i];
                }
                if (use2) {
                    x[i][j] = x2[i];
                }
            }
            OLSMultipleLinearRegression ols = new OLSMultipleLinearRegression(SINGULARITY_THRESHOLD);
            ols.newSampleData(y, x);
            double[] b = ols.estimateRegressionParameters();
            beta0 = b[0];
            int next = 1;
            beta1 = use1 ? b[next++] : 0;
            beta2 = use2 ? b[next] : 0;
        }
        double mean = mean(y);
        double ssRes = 0;
        double ssTot = 0;
        for (int i = 0; i < n; i++) {
            double fitted = beta0 + beta1 * x1[i] + beta2 * x2[i];
            ssRes += (y[i] - fitted) * (y[i] - fitted);
            ssTot += (y[i] - mean) * (y[i] - mean);
        }
        // Computed here rather than by calculateRSquared(), which is NaN when y does not vary.
        double r2 = ssTot > 0 ? 1 - ssRes / ssTot : 1.0;
        return new Ols(beta0, beta1, beta2, r2, n, List.copyOf(dropped));
    }

    /** The fitted value at (x1, x2). */
    public double predict(double x1, double x2) {
        return beta0 + beta1 * x1 + beta2 * x2;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    private static boolean varies(double[] v) {
        double mean = mean(v);
        double sq = 0;
        for (double d : v) {
            sq += (d - mean) * (d - mean);
        }
        return v.length > 0 && sq / v.length > VARIANCE_EPS;
    }
}
