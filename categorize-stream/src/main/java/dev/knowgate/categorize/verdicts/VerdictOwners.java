package dev.knowgate.categorize.verdicts;

import dev.knowgate.categorize.stream.CategorizeTopology;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.errors.StreamsException;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Which instance holds an example's verdicts (or a submission's counts), as Kafka Streams' group
 * metadata says: the active owner of the key's partition of the store. The verdicts store is keyed by
 * example id, and examples.submitted is keyed by example id too (ingest and the monitor key it so), so
 * the key's partition is the input partition whose task wrote it; the submissions store and
 * submissions.outcomes are both keyed by curator/submission.
 */
@ApplicationScoped
public class VerdictOwners {

    /** Where a key's verdicts are. */
    public sealed interface Owner permits Local, Remote, Unknown {
    }

    /** This instance is the active owner of the key's partition. */
    public record Local(int partition) implements Owner {
    }

    /** Another instance is. */
    public record Remote(HostInfo host) implements Owner {
    }

    /** No owner is known now (starting, rebalancing): ask again shortly. */
    public record Unknown(String reason) implements Owner {
    }

    private final KafkaStreams streams;
    private final HostInfo self;

    @Inject
    public VerdictOwners(KafkaStreams streams,
                         @ConfigProperty(name = "quarkus.kafka-streams.application-server") String applicationServer) {
        this.streams = streams;
        this.self = HostInfo.buildFromEndpoint(applicationServer);
    }

    public HostInfo self() {
        return self;
    }

    /**
     * The answer for a key, as both query endpoints give it: from this instance's store for the
     * key's partition, proxied to its owner, or 503 with Retry-After while no owner is known, or
     * when a forwarded request reaches an instance that no longer owns it (ownership moving: never
     * forwarded twice). Answers from here carry {@link VerdictForwarder#SERVED_BY}.
     *
     * @param what        the key in words, for messages ("example 'ex-1'")
     * @param forwardedBy the forwarding instance, when this request was forwarded
     * @param local       the answer from this instance's store, given the partition
     * @param remote      the owner's answer, proxied
     */
    public Response answer(Owner owner, String what, String store, String forwardedBy, IntFunction<Response> local,
                           Function<HostInfo, Response> remote) {
        if (owner instanceof Local l) {
            return served(local.apply(l.partition()));
        }
        if (owner instanceof Remote r) {
            if (forwardedBy != null) {
                // The forwarding instance thinks this one owns the key, this one thinks another does.
                return served(VerdictForwarder.unavailable("owner-moving", "the owner of " + what + " is changing ("
                        + forwardedBy + " sent it here, the metadata here names " + r.host().host() + ":"
                        + r.host().port() + "); try again shortly"));
            }
            return remote.apply(r.host());
        }
        return served(VerdictForwarder.unavailable("store-unavailable", "the " + store + " store is not queryable: "
                + ((Unknown) owner).reason() + "; try again shortly"));
    }

    /** An answer from this instance, saying so ({@link VerdictForwarder#SERVED_BY}). */
    public Response served(Response r) {
        return Response.fromResponse(r).header(VerdictForwarder.SERVED_BY, self.host() + ":" + self.port()).build();
    }

    public Owner ownerOf(String exampleId) {
        return ownerOf(CategorizeTopology.VERDICT_STORE, CategorizeTopology.SOURCE_TOPIC, exampleId);
    }

    /** The owner of a quarantined example: the quarantine store is keyed by example id, as examples.submitted is. */
    public Owner ownerOfQuarantined(String exampleId) {
        return ownerOf(CategorizeTopology.QUARANTINE_STORE, CategorizeTopology.SOURCE_TOPIC, exampleId);
    }

    /** The owner of a submission's counts: the submissions store is keyed as its input topic is. */
    public Owner ownerOfSubmission(String submissionKey) {
        return ownerOf(CategorizeTopology.SUBMISSIONS_STORE, CategorizeTopology.OUTCOMES_TOPIC, submissionKey);
    }

    private Owner ownerOf(String store, String sourceTopic, String key) {
        KafkaStreams.State state = streams.state();
        // Metadata read while a rebalance is under way may name an owner that is about to lose the key.
        if (state != KafkaStreams.State.RUNNING) {
            return new Unknown("the instances are " + state.name().toLowerCase(java.util.Locale.ROOT));
        }
        KeyQueryMetadata m;
        try {
            m = streams.queryMetadataForKey(store, key, Serdes.String().serializer());
        } catch (StreamsException | IllegalStateException e) {
            return new Unknown("no metadata yet (" + e.getMessage() + ")");
        }
        if (m == null || KeyQueryMetadata.NOT_AVAILABLE.equals(m) || m.activeHost() == null || m.activeHost().port() < 0) {
            return new Unknown("no instance owns the key's partition yet");
        }
        // "Local" is what this instance runs, not a comparison of host names: a name advertised
        // differently from how it is configured here (a test port, a proxy) must not send a request
        // away from the store that holds it.
        if (runsActive(sourceTopic, m.partition())) {
            return new Local(m.partition());
        }
        if (m.activeHost().equals(self)) {
            return new Unknown("partition " + m.partition() + " is assigned here but not running yet");
        }
        return new Remote(m.activeHost());
    }

    private boolean runsActive(String sourceTopic, int partition) {
        return streams.metadataForLocalThreads().stream()
                .flatMap(thread -> thread.activeTasks().stream())
                .flatMap(task -> task.topicPartitions().stream())
                .anyMatch(tp -> tp.partition() == partition && tp.topic().equals(sourceTopic));
    }
}
