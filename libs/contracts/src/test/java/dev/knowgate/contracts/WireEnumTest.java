package dev.knowgate.contracts;

import dev.knowgate.contracts.json.ContractJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class WireEnumTest {

    static Stream<Arguments> wireNames() {
        return Stream.of(
                Arguments.of(Purpose.class, "training,probe"),
                Arguments.of(Category.class, "HighlyKnown,MaybeKnown,WeaklyKnown,Unknown"),
                Arguments.of(SlickMethod.class, "exact,sampled"),
                Arguments.of(Route.class, "accepted,quarantined,probe,released"),
                Arguments.of(QuarantineDecision.Action.class, "release,drop,amend,return"),
                Arguments.of(QuarantineEntry.State.class, "open,released,dropped,amended,known"),
                Arguments.of(AlertKind.class, "baseline_exceeded,rising_trend,change_point,candidate_rejected"),
                Arguments.of(DecisionStatus.class, "promoted,rejected"),
                Arguments.of(AlertStatus.class, "firing,resolved"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wireNames")
    void serialiseAsTheirWireNamesAndBack(Class<? extends Enum<?>> type, String names) {
        assertThat(Arrays.stream(type.getEnumConstants()).map(c -> ((WireEnum) c).wireName()))
                .containsExactly(names.split(","));
        for (Enum<?> constant : type.getEnumConstants()) {
            String json = ContractJson.writeString(constant);
            assertThat(json).isEqualTo("\"" + ((WireEnum) constant).wireName() + "\"");
            assertThat(ContractJson.read(json, type)).isSameAs(constant);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wireNames")
    void rejectUnknownNamesListingTheAcceptedOnes(Class<? extends Enum<?>> type, String names) {
        ContractViolation violation = catchThrowableOfType(ContractViolation.class, () -> ContractJson.read("\"TRAINING\"", type));

        assertThat(violation.code()).isEqualTo("invalid_value");
        assertThat(violation.getMessage()).isEqualTo(
                "value must be one of [" + names.replace(",", ", ") + "], got 'TRAINING'");
    }

    @Test
    void javaConstantNamesAreNotWireNames() {
        assertThat(catchThrowableOfType(ContractViolation.class, () -> Route.fromWire("ACCEPTED")))
                .hasMessage("value must be one of [accepted, quarantined, probe, released], got 'ACCEPTED'");
    }
}
