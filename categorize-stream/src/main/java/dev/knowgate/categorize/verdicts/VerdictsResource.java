package dev.knowgate.categorize.verdicts;

import dev.knowgate.categorize.stream.CategorizeTopology;
import dev.knowgate.categorize.stream.VerdictHistory;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.service.ProblemResponse;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
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
 */
@Path("/v1/verdicts")
public class VerdictsResource {

    private final KafkaStreams streams;

    @Inject
    public VerdictsResource(KafkaStreams streams) {
        this.streams = streams;
    }

    @GET
    @Path("/{exampleId}")
    @Produces({MediaType.APPLICATION_JSON, ProblemResponse.PROBLEM_JSON})
    public Response verdicts(@PathParam("exampleId") String exampleId) {
        ReadOnlyKeyValueStore<String, VerdictHistory> store;
        VerdictHistory history;
        try {
            store = streams.store(StoreQueryParameters.fromNameAndType(CategorizeTopology.VERDICT_STORE,
                    QueryableStoreTypes.<String, VerdictHistory>keyValueStore()));
            history = store.get(exampleId);
        } catch (InvalidStateStoreException e) {
            Response r = ProblemResponse.of(503, "store-unavailable", "Verdicts not queryable yet",
                    "the verdicts store is not ready (" + streams.state() + "); try again shortly");
            return Response.fromResponse(r).header("Retry-After", "2").build();
        }
        if (history == null) {
            return ProblemResponse.of(404, "verdict-not-found", "No verdict for this example",
                    "no verdict for example '" + exampleId + "': unknown id, rejected, or not categorized yet");
        }
        return Response.ok(ContractJson.writeString(history), MediaType.APPLICATION_JSON_TYPE).build();
    }
}
