package dev.knowgate.contracts.json;

import dev.knowgate.contracts.Alert;
import dev.knowgate.contracts.AlertKind;
import dev.knowgate.contracts.AlertStatus;
import dev.knowgate.contracts.CategorizedExample;
import dev.knowgate.contracts.ContractSamples;
import dev.knowgate.contracts.EvidencePoint;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.Purpose;
import dev.knowgate.contracts.Route;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class RoundTripTest {

    static Stream<Arguments> values() {
        Example probe = Example.of("Which city is the capital of Orvane?", "Keldmar").withPurpose(Purpose.PROBE);
        Instant at = Instant.parse("2026-05-04T10:00:00.123456789Z");
        return Stream.of(
                        ContractSamples.example(),
                        Example.of("Who founded Halvorsen Ironworks?", "Edda Marrow"),
                        probe,
                        ContractSamples.timings(),
                        ContractSamples.verdict(),
                        ContractSamples.categorizedExample(),
                        new CategorizedExample(probe, ContractSamples.verdictFor(probe.id()), Route.PROBE),
                        ContractSamples.rejectedRecord(),
                        ContractSamples.modelFile(),
                        ContractSamples.roundSummary(),
                        ContractSamples.modelVersion(),
                        ContractSamples.baseModelManifest(),
                        ContractSamples.probeResult(),
                        ContractSamples.alert(),
                        ContractSamples.alert().resolve(at),
                        new Alert("trend-knowgate-gpt", AlertKind.RISING_TREND, AlertStatus.FIRING,
                                "unknown_rate", "knowgate-gpt", null, 0.41, null, 0.22, 0.3, null, "Unknown share rising", at, null),
                        ContractSamples.trendAlert(),
                        ContractSamples.promotion(),
                        ContractSamples.manualRejection(),
                        new EvidencePoint("2026-05-04T09:00Z", 0.5))
                .map(value -> Arguments.of(value.getClass().getSimpleName(), value));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void bytesRoundTrip(String type, Object value) {
        assertThat(ContractJson.read(ContractJson.write(value), value.getClass())).isEqualTo(value);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void textRoundTrip(String type, Object value) {
        assertThat(ContractJson.read(ContractJson.writeString(value), value.getClass())).isEqualTo(value);
        assertThat(ContractJson.read(ContractJson.writePrettyString(value), value.getClass())).isEqualTo(value);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void writingIsDeterministic(String type, Object value) {
        Object again = ContractJson.read(ContractJson.write(value), value.getClass());
        assertThat(ContractJson.write(again)).isEqualTo(ContractJson.write(value));
    }
}
