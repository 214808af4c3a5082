package dev.knowgate.contracts.json;

import dev.knowgate.contracts.ContractSamples;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The golden wire samples under src/test/resources/golden, each with its type and the value it encodes. */
record GoldenFiles(String file, Class<?> type, Object value) {

    static List<GoldenFiles> all() {
        return List.of(
                new GoldenFiles("example.json", dev.knowgate.contracts.Example.class, ContractSamples.example()),
                new GoldenFiles("verdict.json", dev.knowgate.contracts.Verdict.class, ContractSamples.verdict()),
                new GoldenFiles("verdict-unknown.json", dev.knowgate.contracts.Verdict.class, ContractSamples.unknownVerdict()),
                new GoldenFiles("categorized-example.json", dev.knowgate.contracts.CategorizedExample.class,
                        ContractSamples.categorizedExample()),
                new GoldenFiles("submission-outcome.json", dev.knowgate.contracts.SubmissionOutcome.class,
                        ContractSamples.submissionOutcome()),
                new GoldenFiles("submission-status.json", dev.knowgate.contracts.SubmissionStatus.class,
                        ContractSamples.submissionStatus()),
                new GoldenFiles("quarantine-decision.json", dev.knowgate.contracts.QuarantineDecision.class,
                        ContractSamples.quarantineDecision()),
                new GoldenFiles("quarantine-entry.json", dev.knowgate.contracts.QuarantineEntry.class,
                        ContractSamples.quarantineEntry()),
                new GoldenFiles("rejected-record.json", dev.knowgate.contracts.RejectedRecord.class, ContractSamples.rejectedRecord()),
                new GoldenFiles("model-file.json", dev.knowgate.contracts.ModelFile.class, ContractSamples.modelFile()),
                new GoldenFiles("round-summary.json", dev.knowgate.contracts.RoundSummary.class, ContractSamples.roundSummary()),
                new GoldenFiles("model-version.json", dev.knowgate.contracts.ModelVersion.class, ContractSamples.modelVersion()),
                new GoldenFiles("model-version-base-manifest.json", dev.knowgate.contracts.ModelVersion.class,
                        ContractSamples.baseModelManifest()),
                new GoldenFiles("probe-result.json", dev.knowgate.contracts.ProbeResult.class, ContractSamples.probeResult()),
                new GoldenFiles("alert.json", dev.knowgate.contracts.Alert.class, ContractSamples.alert()),
                new GoldenFiles("alert-trend.json", dev.knowgate.contracts.Alert.class, ContractSamples.trendAlert()),
                new GoldenFiles("model-decision-promoted.json", dev.knowgate.contracts.ModelDecision.class,
                        ContractSamples.promotion()),
                new GoldenFiles("model-decision-operator.json", dev.knowgate.contracts.ModelDecision.class,
                        ContractSamples.manualRejection()));
    }

    String text() {
        try (InputStream in = GoldenFiles.class.getResourceAsStream("/golden/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing golden file " + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return file;
    }
}
