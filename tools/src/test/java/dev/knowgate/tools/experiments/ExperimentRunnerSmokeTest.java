package dev.knowgate.tools.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.knowgate.model.gpt.GptWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The {@code --quick} path of every experiment (bin/experiments all --quick) on the shipped base model: the
 * JSON results carry the expected fields with values in range, and the PNG plots are written. One PyTorch
 * thread, as the documented full run (reproducible, and fast on a busy machine). Well under a minute.
 */
class ExperimentRunnerSmokeTest {

    static final Path BASE = Path.of("..", "models", "knowgate-base-1");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void quickRunOfEveryExperimentWritesResultsAndPlots() throws Exception {
        Path plots = tmp.resolve("plots");
        int code = ExperimentRunner.execute("all", "--quick", "--threads", "1", "--model", BASE.toString(),
                "--out", tmp.toString(), "--plots", plots.toString());
        assertThat(code).isZero();

        JsonNode g = JSON.readTree(tmp.resolve("gekhman.json").toFile());
        assertThat(g.get("experiment").asText()).isEqualTo("gekhman");
        assertThat(g.get("config").get("quick").asBoolean()).isTrue();
        assertThat(g.get("runs")).hasSize(GekhmanExperiment.UNKNOWN_SHARES.length + 1); // + the filtered set
        for (JsonNode run : g.get("runs")) {
            for (String stage : List.of("earlyStopping", "convergence")) {
                JsonNode cp = run.get(stage);
                assertThat(cp.get("epochs").asInt()).isBetween(1, 2);
                probability(cp, "testAccuracy", "poolTestAccuracy", "devAccuracy", "trainAccuracy",
                        "knownFittedShare", "unknownFittedShare");
                assertThat(cp.get("knownFitted").asInt() + cp.get("unknownFitted").asInt())
                        .isLessThanOrEqualTo(run.get("size").asInt());
            }
        }
        JsonNode regression = g.get("regression");
        for (String f : List.of("beta0", "betaKnown", "betaUnknown", "r2")) {
            assertThat(regression.get(f).isNumber()).as(f).isTrue();
            assertThat(Double.isFinite(regression.get(f).asDouble())).as(f).isTrue();
        }
        assertThat(regression.get("r2").asDouble()).isBetween(0.0, 1.0);
        assertThat(regression.get("n").asInt()).isEqualTo(2 * GekhmanExperiment.UNKNOWN_SHARES.length);
        assertThat(regression.get("betaUnknownPercent").asDouble())
                .isCloseTo(100 * regression.get("betaUnknown").asDouble(), within(1e-9));
        assertThat(g.get("summary")).hasSize(2 * GekhmanExperiment.UNKNOWN_SHARES.length);
        assertThat(g.get("filtered")).hasSize(2);
        assertThat(g.get("base").get("testAccuracy").asDouble()).as("the base model knows its probes").isGreaterThan(0.9);

        JsonNode c = JSON.readTree(tmp.resolve("categories.json").toFile());
        assertThat(c.get("runs")).hasSize(4);
        List<String> categories = new ArrayList<>();
        for (JsonNode s : c.get("summary")) {
            categories.add(s.get("category").asText());
            probability(s.get("testAccuracy"), "mean", "min", "max");
            assertThat(s.get("testAccuracy").get("n").asInt()).isEqualTo(1);
        }
        assertThat(categories).containsOnly("HighlyKnown", "MaybeKnown", "WeaklyKnown", "Unknown").hasSize(8);

        JsonNode k = JSON.readTree(tmp.resolve("kaplan.json").toFile());
        assertThat(k.get("heldOutProbes").asInt()).isPositive();
        assertThat(k.get("summary")).hasSize(KaplanExperiment.METHODS.size());
        for (JsonNode s : k.get("summary")) {
            probability(s.get("forgetting"), "mean", "min", "max");
            probability(s.get("newFactAccuracy"), "mean", "min", "max");
        }
        for (JsonNode run : k.get("runs")) {
            assertThat(run.get("epochs").asInt()).isEqualTo(2);
            probability(run, "forgetting", "newFactAccuracy", "probeAccuracy");
        }

        assertThat(tmp.resolve("slick-categories.json")).exists();
        for (String png : List.of("gekhman-accuracy.png", "gekhman-fit.png", "categories.png", "kaplan-tradeoff.png")) {
            Path file = plots.resolve(png);
            assertThat(file).exists();
            byte[] bytes = Files.readAllBytes(file);
            assertThat(bytes.length).as(png).isGreaterThan(1000);
            assertThat(new String(bytes, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).as(png).isEqualTo("PNG");
        }

        // The per-example check used for "fitted" agrees with FineTuner.accuracy (the project's reference).
        Settings quick = new ExperimentRunner.Common().settings();
        Settings s = new Settings(BASE, tmp, plots, List.of(1L), 1, true, quick.lr(), quick.batchSize(), 2, 2, 2, 16, 24,
                400, 60, 16, 8, 16, 2);
        try (ExperimentContext ctx = ExperimentContext.open(s)) { // categories come from the cache written above
            GptWeights w = ctx.start;
            try (ExperimentContext.Scorer scorer = ctx.scorer(w)) {
                boolean[] right = scorer.correct(ctx.qa(ctx.probes));
                int n = 0;
                for (boolean b : right) {
                    n += b ? 1 : 0;
                }
                assertThat((double) n / right.length).isEqualTo(scorer.accuracy(ctx.qa(ctx.probes)));
            }
        }
    }

    /**
     * {@code bin/experiments rounds --quick}: the service's rounds on the first 120 stream examples, filtered with the
     * gate and unfiltered without it; every round is measured and the gate's decisions follow its threshold.
     */
    @Test
    void quickRoundsSimulateTheServiceWithAndWithoutTheGate() throws Exception {
        int code = ExperimentRunner.execute("rounds", "--quick", "--threads", "1", "--model", BASE.toString(),
                "--out", tmp.toString(), "--recipes", "service", "--stopping", "GUARDED", "--max-retention-drop", "0.05",
                "--custom-name", "guarded");
        assertThat(code).isZero();
        JsonNode r = JSON.readTree(tmp.resolve("rounds.json").toFile());
        assertThat(r.get("experiment").asText()).isEqualTo("rounds");
        assertThat(r.get("runs")).hasSize(4); // 2 recipes x 2 modes x 1 seed
        double max = r.get("config").get("maxForgetting").asDouble();
        for (JsonNode run : r.get("runs")) {
            boolean filtered = run.get("mode").asText().equals("filtered");
            assertThat(run.get("gate").asBoolean()).as("the gate is on for filtered runs only").isEqualTo(filtered);
            assertThat(run.get("rounds").size()).isPositive();
            assertThat(run.get("quarantined").asInt() > 0).isEqualTo(filtered);
            for (JsonNode round : run.get("rounds")) {
                probability(round, "forgetting", "probeAccuracy", "retentionAccuracy", "learnedRound", "learnedLineage",
                        "trainFit");
                assertThat(round.get("epochsRun").asInt()).isBetween(1, 2);
                if (filtered) {
                    assertThat(round.get("promoted").asBoolean()).isEqualTo(round.get("forgetting").asDouble() <= max);
                    assertThat(round.get("newByCategory").has("Unknown")).isFalse();
                } else {
                    assertThat(round.get("promoted").asBoolean()).isTrue();
                }
            }
            assertThat(run.get("maxForgetting").asDouble()).isLessThanOrEqualTo(filtered ? max : 1.0);
            assertThat(run.has("released")).as("nothing released without --released-budget").isFalse();
        }
        assertThat(r.get("summary")).hasSize(4);
        assertThat(Files.readString(tmp.resolve("rounds.md"))).contains("| service |", "| guarded |", "all met");
    }

    /**
     * {@code bin/experiments rounds --quick --released-budget 0,0.3}: quarantined Unknown examples are released and
     * trained within the budget; every released example is either in the final lineage or still waiting.
     */
    @Test
    void quickRoundsWithReleasedExamplesTrainThemWithinTheBudget() throws Exception {
        int code = ExperimentRunner.execute("rounds", "--quick", "--threads", "1", "--model", BASE.toString(),
                "--out", tmp.toString(), "--released-budget", "0,0.3", "--name", "released");
        assertThat(code).isZero();
        JsonNode r = JSON.readTree(tmp.resolve("released.json").toFile());
        assertThat(r.get("runs")).hasSize(2); // the recipe, filtered, 2 budgets x 1 seed
        for (JsonNode run : r.get("runs")) {
            assertThat(run.get("recipe").asText()).isEqualTo("recipe");
            assertThat(run.get("mode").asText()).isEqualTo("filtered");
            JsonNode x = run.get("released");
            double budget = x.get("budget").asDouble();
            assertThat(x.get("released").asInt()).isEqualTo(run.get("quarantined").asInt()).isPositive();
            assertThat(x.get("inLineage").asInt() + x.get("waiting").asInt()).isEqualTo(x.get("released").asInt());
            assertThat(x.get("learned").asInt()).isBetween(0, x.get("inLineage").asInt());
            assertThat(x.get("learnedWhenTrained").asInt()).isBetween(0, x.get("inLineage").asInt());
            int admitted = 0;
            for (int i = 0; i < run.get("rounds").size(); i++) {
                JsonNode round = run.get("rounds").get(i);
                int n = x.get("admittedByRound").get(i).asInt();
                admitted += n;
                // Released examples are Unknown at arrival, and the only Unknown a filtered round trains.
                assertThat(round.get("newByCategory").path("Unknown").asInt()).isEqualTo(n);
                int others = round.get("trainNew").asInt() - n;
                assertThat(n).isLessThanOrEqualTo((int) Math.floor(budget / (1 - budget) * others + 1e-9));
            }
            assertThat(admitted > 0).isEqualTo(budget > 0);
        }
        assertThat(r.get("summary")).hasSize(2);
        assertThat(Files.readString(tmp.resolve("released.md"))).contains("| recipe, released 30% |", "| recipe | 30% |");
        assertThat(ExperimentRunner.execute("rounds", "--quick", "--model", BASE.toString(), "--out", tmp.toString(),
                "--released-budget", "0.1", "--modes", "unfiltered")).as("nothing is quarantined unfiltered").isNotZero();
    }

    @Test
    void olsRecoversAnExactLinearModel() {
        double[] x1 = {0, 0.25, 0.5, 0.75, 1, 0.1, 0.6};
        double[] x2 = {1, 0.5, 0.4, 0.1, 0, 0.3, 0.9};
        double[] y = new double[x1.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = 0.5 + 0.073 * x1[i] - 0.083 * x2[i];
        }
        Ols fit = Ols.fit(x1, x2, y);
        assertThat(fit.beta0()).isCloseTo(0.5, within(1e-9));
        assertThat(fit.beta1()).isCloseTo(0.073, within(1e-9));
        assertThat(fit.beta2()).isCloseTo(-0.083, within(1e-9));
        assertThat(fit.r2()).isCloseTo(1.0, within(1e-9));
        assertThat(fit.dropped()).isEmpty();
        // A regressor that never varies is dropped, not a singular system.
        Ols reduced = Ols.fit(x1, new double[x1.length], y);
        assertThat(reduced.dropped()).containsExactly("x2");
        assertThat(reduced.beta2()).isZero();
        assertThat(Double.isFinite(reduced.beta1())).as("x1 alone is estimated").isTrue();
        // Exactly collinear shares: x2 is reported as such and x1 carries the fit.
        double[] twice = new double[x1.length];
        for (int i = 0; i < x1.length; i++) {
            twice[i] = 2 * x1[i];
        }
        Ols collinear = Ols.fit(x1, twice, y);
        assertThat(collinear.dropped()).containsExactly("x2 (collinear with x1)");
        assertThat(collinear.beta2()).isZero();
    }

    @Test
    void spreadIsMeanAndSampleStandardDeviationOverSeeds() {
        Spread s = Spread.of(List.of(0.2, 0.4, 0.6));
        assertThat(s.n()).isEqualTo(3);
        assertThat(s.mean()).isCloseTo(0.4, within(1e-12));
        assertThat(s.std()).isCloseTo(0.2, within(1e-12));
        assertThat(s.min()).isEqualTo(0.2);
        assertThat(s.max()).isEqualTo(0.6);
        assertThat(Spread.of(List.of(0.5)).std()).isZero();
    }

    private static void probability(JsonNode node, String... fields) {
        for (String f : fields) {
            assertThat(node.get(f)).as(f).isNotNull();
            assertThat(node.get(f).asDouble()).as(f).isBetween(0.0, 1.0);
        }
    }
}
