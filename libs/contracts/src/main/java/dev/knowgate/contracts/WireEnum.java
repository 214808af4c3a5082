package dev.knowgate.contracts;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * An enum with a stable wire name, independent of the Java constant's name, so that
 * constants can be renamed in code without changing the JSON.
 */
public interface WireEnum {

    /** The name used in JSON. */
    String wireName();

    /**
     * The constant whose wire name is {@code wire}; anything else fails with
     * invalid_value listing the accepted names (the field is filled in by the JSON reader).
     */
    static <E extends Enum<E> & WireEnum> E parse(Class<E> type, String wire) {
        for (E constant : type.getEnumConstants()) {
            if (constant.wireName().equals(wire)) {
                return constant;
            }
        }
        throw ContractViolation.invalid(null, "must be one of " + wireNames(type) + ", got " + Require.quote(wire));
    }

    /** The accepted wire names, in declaration order, for messages: "[training, probe]". */
    static String wireNames(Class<?> type) {
        return Arrays.stream(type.getEnumConstants())
                .map(c -> ((WireEnum) c).wireName())
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
