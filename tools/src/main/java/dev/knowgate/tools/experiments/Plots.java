package dev.knowgate.tools.experiments;

import dev.knowgate.contracts.Category;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * PNG plots of the experiments (XChart). Error bars are the standard deviation over the seeds.
 */
final class Plots {

    static final int WIDTH = 800;
    static final int HEIGHT = 500;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {
    }

    /** Test accuracy against the Unknown share, early stopping and convergence; and observed vs fitted. */
    static void gekhman(GekhmanExperiment.Result r, Path dir) throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Gekhman: accuracy vs Unknown share of the fine-tuning set (|D| = " + r.config().get("size") + ")")
                .xAxisTitle("Unknown examples in D (%)").yAxisTitle("greedy exact-match accuracy").build();
        style(chart.getStyler());
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        chart.getStyler().setXAxisMin(-5.0).setXAxisMax(105.0);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        double[] x = GekhmanExperiment.UNKNOWN_SHARES.clone();
        for (int i = 0; i < x.length; i++) {
            x[i] *= 100;
        }
        for (String target : List.of("probes", "pool test")) {
            for (String stage : List.of("early_stopping", "convergence")) {
                double[] y = new double[x.length];
                double[] err = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    double share = GekhmanExperiment.UNKNOWN_SHARES[i];
                    GekhmanExperiment.Summary s = r.summary().stream()
                            .filter(v -> v.unknownShare() == share && v.stage().equals(stage)).findFirst().orElseThrow();
                    Spread sp = target.equals("probes") ? s.testAccuracy() : s.poolTestAccuracy();
                    y[i] = sp.mean();
                    err[i] = sp.std();
                }
                XYSeries series = chart.addSeries(target + ", " + stage.replace('_', ' '), x, y, err);
                series.setMarker(stage.equals("early_stopping") ? SeriesMarkers.CIRCLE : SeriesMarkers.SQUARE);
                series.setLineStyle(target.equals("probes") ? SeriesLines.SOLID : SeriesLines.DASH_DASH);
            }
        }
        XYSeries base = chart.addSeries("base model (probes)", new double[]{0, 100},
                new double[]{r.base().testAccuracy(), r.base().testAccuracy()});
        base.setMarker(SeriesMarkers.NONE);
        base.setLineStyle(SeriesLines.DOT_DOT);
        save(chart, dir, "gekhman-accuracy.png");

        GekhmanExperiment.Regression g = r.regression();
        XYChart fit = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(String.format(Locale.ROOT, "Gekhman fit: acc = %.3f + %.3f kn_fit + %.3f unk_fit (R2 %.2f)",
                        g.beta0(), g.betaKnown(), g.betaUnknown(), g.r2()))
                .xAxisTitle("fitted test accuracy").yAxisTitle("observed test accuracy (probes)").build();
        style(fit.getStyler());
        fit.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        fit.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        double lo = 1;
        double hi = 0;
        for (String stage : List.of("early_stopping", "convergence")) {
            List<Double> fx = new ArrayList<>();
            List<Double> fy = new ArrayList<>();
            for (GekhmanExperiment.Point p : r.points()) {
                if (p.stage().equals(stage)) {
                    fx.add(p.fitted());
                    fy.add(p.testAccuracy());
                    lo = Math.min(lo, Math.min(p.fitted(), p.testAccuracy()));
                    hi = Math.max(hi, Math.max(p.fitted(), p.testAccuracy()));
                }
            }
            fit.addSeries(stage.replace('_', ' '), fx, fy);
        }
        XYSeries diagonal = fit.addSeries("y = x", new double[]{lo, hi}, new double[]{lo, hi});
        diagonal.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        diagonal.setMarker(SeriesMarkers.NONE);
        diagonal.setLineStyle(SeriesLines.DASH_DASH);
        save(fit, dir, "gekhman-fit.png");
    }

    /** Test accuracy per single-category fine-tuning set (the paper's Table 2). */
    static void categories(CategoriesExperiment.Result r, Path dir) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title(String.format(Locale.ROOT, "Single-category fine-tuning sets (|D| = %s): test accuracy on the probes",
                        r.config().get("size")))
                .xAxisTitle("fine-tuning set").yAxisTitle("greedy exact-match accuracy").build();
        style(chart.getStyler());
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        List<String> names = new ArrayList<>();
        for (Category c : Category.values()) {
            names.add("D_" + c.wireName());
        }
        for (String target : List.of("probes", "pool test")) {
            for (String stage : List.of("early_stopping", "convergence")) {
                List<Double> y = new ArrayList<>();
                List<Double> err = new ArrayList<>();
                for (Category c : Category.values()) {
                    CategoriesExperiment.Summary s = r.summary().stream()
                            .filter(v -> v.category().equals(c.wireName()) && v.stage().equals(stage)).findFirst()
                            .orElseThrow();
                    Spread sp = target.equals("probes") ? s.testAccuracy() : s.poolTestAccuracy();
                    y.add(sp.mean());
                    err.add(sp.std());
                }
                chart.addSeries(target + ", " + stage.replace('_', ' '), names, y, err);
            }
        }
        save(chart, dir, "categories.png");
    }

    /** Forgetting against new-fact learning, one point per method. */
    static void kaplan(KaplanExperiment.Result r, Path dir) throws IOException {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(String.format(Locale.ROOT, "Forgetting vs learning %s new facts (%s epochs)",
                        r.config().get("newFacts"), r.config().get("epochs")))
                .xAxisTitle("new-fact accuracy (training accuracy on the Unknown facts)")
                .yAxisTitle("forgetting (HighlyKnown probes lost)").build();
        style(chart.getStyler());
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0);
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        // The top-left corner stays empty (forgetting needs learning), so the legend goes there.
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setMarkerSize(10);
        List<KaplanExperiment.Summary> curve = new ArrayList<>();
        for (KaplanExperiment.Summary s : r.summary()) {
            chart.addSeries(s.method(), new double[]{s.newFactAccuracy().mean()}, new double[]{s.forgetting().mean()},
                    new double[]{s.forgetting().std()});
            if (s.frozen().isEmpty()) {
                curve.add(s);
            }
        }
        // Plain fine-tuning is lambda 0: joining it to the self-distillation points draws the trade-off curve.
        curve.sort((a, b) -> Double.compare(a.distillLambda(), b.distillLambda()));
        if (curve.size() > 1) {
            String name = String.format(Locale.ROOT, "self-distillation, lambda 0 to %s",
                    curve.get(curve.size() - 1).distillLambda());
            XYSeries line = chart.addSeries(name,
                    curve.stream().mapToDouble(s -> s.newFactAccuracy().mean()).toArray(),
                    curve.stream().mapToDouble(s -> s.forgetting().mean()).toArray());
            line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            line.setMarker(SeriesMarkers.NONE);
            line.setLineStyle(SeriesLines.DOT_DOT);
            line.setLineColor(java.awt.Color.GRAY);
        }
        save(chart, dir, "kaplan-tradeoff.png");
    }

    private static void style(org.knowm.xchart.style.AxesChartStyler styler) {
        styler.setErrorBarsColorSeriesColor(true);
        styler.setPlotGridLinesVisible(true);
        styler.setYAxisDecimalPattern("0.00");
    }

    private static void save(Chart<?, ?> chart, Path dir, String file) throws IOException {
        Files.createDirectories(dir);
        try (OutputStream out = Files.newOutputStream(dir.resolve(file))) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }
}
