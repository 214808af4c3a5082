package dev.knowgate.categorize.verdicts;

import dev.knowgate.categorize.stream.CategorizeTopology;
import dev.knowgate.categorize.stream.VerdictHistory;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.service.problem.ProblemResponse;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;


/**
 * GET /v1/verdicts/{exampleId}: what became of an example, answered from the verdicts state store
 * (Kafka Streams interactive queries): its verdict under each model version and where it was routed.
 * With several instances the key's owner answers: this instance's own store, or the owner's, asked
 * through {@link VerdictForwarder}. A 404 only ever comes from the owner's store; while no owner is
 * known, 503 with Retry-After.
 */
@Path("/v1/verdicts")
public class VerdictsResource {

    private final KafkaStreams streams;
    private final VerdictOwners owners;
    private final VerdictForwarder forwarder;

    @Inject
    public VerdictsResource(KafkaStreams streams, VerdictOwners owners, VerdictForwarder forwarder) {
        this.streams = streams;
        this.owners = owners;
        this.forwarder = forwarder;
    }

    @GET
    @Path("/{exampleId}")
    @Produces({MediaType.APPLICATION_JSON, ProblemResponse.PROBLEM_JSON})
    public Response verdicts(@PathParam("exampleId") String exampleId,
                             @HeaderParam(VerdictForwarder.FORWARDED_BY) String forwardedBy) {
        return owners.answer(owners.ownerOf(exampleId), "example '" + exampleId + "'", "verdicts", forwardedBy,
                partition -> local(exampleId, partition), owner -> forwarder.forward(owner, exampleId, owners.self()));
    }

    private Response local(String exampleId, int partition) {
        VerdictHistory history;
        try {
            ReadOnlyKeyValueStore<String, VerdictHistory> store = streams.store(StoreQueryParameters
                    .fromNameAndType(CategorizeTopology.VERDICT_STORE, QueryableStoreTypes.<String, VerdictHistory>keyValueStore())
                    .withPartition(partition));
            history = store.get(exampleId);
        } catch (InvalidStateStoreException e) {
            // The partition is being restored or is migrating: not an answer either way yet.
            return VerdictForwarder.unavailable("store-unavailable", "the verdicts store of partition " + partition
                    + " is not ready (" + streams.state() + "); try again shortly");
        }
        if (history == null) {
            return ProblemResponse.of(404, "verdict-not-found", "No verdict for this example",
                    "no verdict for example '" + exampleId + "': unknown id, rejected, or not categorized yet");
        }
        return Response.ok(ContractJson.writeString(history), MediaType.APPLICATION_JSON_TYPE).build();
    }
}
