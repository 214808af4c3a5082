package dev.knowgate.categorize.stream;

import dev.knowgate.contracts.Example;

/**
 * A training example in the quarantine store: judged Unknown and routed away. Kept so that a
 * promoted version can judge it again (docs/curators.md, "The quarantine heals").
 *
 * @param example         the example as it arrived
 * @param sourceOffset    the offset of the record that brought it (its pending key when rechecked)
 * @param timestamp       that record's timestamp
 * @param modelKey        the version (name@version) that quarantined it last
 * @param quarantinedAtMs when, wall clock: the store's retention counts from it
 * @param recheckedFor    the live version it was sent to be judged again by, or null
 */
public record QuarantinedExample(Example example, long sourceOffset, long timestamp, String modelKey,
                                 long quarantinedAtMs, String recheckedFor) {

    QuarantinedExample recheckedFor(String liveKey) {
        return new QuarantinedExample(example, sourceOffset, timestamp, modelKey, quarantinedAtMs, liveKey);
    }
}
