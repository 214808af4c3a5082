package dev.knowgate.categorize.verdicts;

import dev.knowgate.categorize.auth.CuratorKeys;
import dev.knowgate.categorize.stream.CategorizeTopology;
import dev.knowgate.categorize.stream.SubmissionAggregator;
import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.SubmissionOutcome;
import dev.knowgate.contracts.SubmissionStatus;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.service.auth.AuthProblems;
import dev.knowgate.service.problem.ProblemResponse;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;


/**
 * GET /v1/submissions/{id}: what became of a curator's submission ({@link SubmissionStatus}), and
 * GET /v1/submissions/{id}/examples: the latest outcome of each of its examples, one JSON line each.
 * Both are answered from the stores the submissions aggregation keeps (never a scan of a topic), by
 * the instance that owns the submission's key, as GET /v1/verdicts is. A curator's key reads the
 * curator's own submissions; a key with the right {@code admin} reads anyone's ({@code ?curator=}).
 */
@Path("/v1/submissions")
@RolesAllowed({CuratorKeys.SUBMIT, CuratorKeys.ADMIN})
public class SubmissionsResource {

    public static final String NDJSON = "application/x-ndjson";

    private final KafkaStreams streams;
    private final VerdictOwners owners;
    private final VerdictForwarder forwarder;
    private final SecurityIdentity identity;

    @Inject
    public SubmissionsResource(KafkaStreams streams, VerdictOwners owners, VerdictForwarder forwarder,
                               SecurityIdentity identity) {
        this.streams = streams;
        this.owners = owners;
        this.forwarder = forwarder;
        this.identity = identity;
    }

    @GET
    @Path("/{id}")
    @Produces({MediaType.APPLICATION_JSON, ProblemResponse.PROBLEM_JSON})
    public Response status(@PathParam("id") String id, @QueryParam("curator") String curator,
                           @HeaderParam(VerdictForwarder.FORWARDED_BY) String forwardedBy, HttpHeaders headers) {
        return answer(id, curator, "", forwardedBy, headers, (store, key) -> {
            SubmissionStatus status = store.<SubmissionStatus>get(CategorizeTopology.SUBMISSIONS_STORE).get(key);
            return status == null ? null
                    : Response.ok(ContractJson.writeString(status), MediaType.APPLICATION_JSON_TYPE).build();
        });
    }

    @GET
    @Path("/{id}/examples")
    @Produces({NDJSON, ProblemResponse.PROBLEM_JSON})
    public Response examples(@PathParam("id") String id, @QueryParam("curator") String curator,
                             @HeaderParam(VerdictForwarder.FORWARDED_BY) String forwardedBy, HttpHeaders headers) {
        return answer(id, curator, "/examples", forwardedBy, headers, (store, key) -> {
            if (store.<SubmissionStatus>get(CategorizeTopology.SUBMISSIONS_STORE).get(key) == null) {
                return null;
            }
            StringBuilder lines = new StringBuilder();
            try (KeyValueIterator<String, SubmissionOutcome> it = store.<SubmissionOutcome>get(CategorizeTopology.SUBMISSION_EXAMPLES_STORE)
                    .prefixScan(SubmissionAggregator.exampleKey(key, ""), SubmissionAggregator.prefixSerializer())) {
                it.forEachRemaining(kv -> lines.append(ContractJson.writeString(kv.value)).append('\n'));
            }
            return Response.ok(lines.toString(), NDJSON).build();
        });
    }

    /** The stores of one partition, by name. */
    private interface Stores {
        <V> ReadOnlyKeyValueStore<String, V> get(String name);
    }

    @FunctionalInterface
    private interface Local {
        /** The answer from the owner's stores, or null when the submission is not there. */
        Response answer(Stores stores, String key);
    }

    private Response answer(String id, String curator, String subPath, String forwardedBy, HttpHeaders headers, Local local) {
        String caller = identity.getPrincipal().getName();
        String whose = curator == null || curator.isBlank() ? caller : curator;
        if (!whose.equals(caller) && !identity.hasRole(CuratorKeys.ADMIN)) {
            return owners.served(AuthProblems.forbidden(caller, CuratorKeys.ADMIN));
        }
        try {
            Example.submissionId(id);
        } catch (ContractViolation v) {
            return owners.served(ProblemResponse.of(400, "invalid-submission", "Not a submission id", v.getMessage()));
        }
        String key = SubmissionOutcome.key(whose, id);
        String query = curator == null || curator.isBlank() ? "" : "?curator=" + VerdictForwarder.segment(curator);
        return owners.answer(owners.ownerOfSubmission(key), "submission '" + id + "'", "submissions", forwardedBy,
                partition -> local(id, whose, partition, key, local),
                owner -> forwarder.forward(owner, "/v1/submissions/" + VerdictForwarder.segment(id) + subPath + query,
                        "submission '" + id + "'", owners.self(), VerdictForwarder.credentials(headers)));
    }

    private Response local(String id, String whose, int partition, String key, Local local) {
        Response answer;
        try {
            answer = local.answer(new Stores() {
                @Override
                public <V> ReadOnlyKeyValueStore<String, V> get(String name) {
                    return streams.store(StoreQueryParameters.fromNameAndType(name,
                            QueryableStoreTypes.<String, V>keyValueStore()).withPartition(partition));
                }
            }, key);
        } catch (InvalidStateStoreException e) {
            return VerdictForwarder.unavailable("store-unavailable", "the submissions store of partition " + partition
                    + " is not ready (" + streams.state() + "); try again shortly");
        }
        if (answer == null) {
            return ProblemResponse.of(404, "submission-not-found", "No such submission",
                    "no submission '" + id + "' of " + whose + " has reached categorize-stream (unknown id, another "
                            + "curator's, or its first example is still on its way)");
        }
        return answer;
    }
}
