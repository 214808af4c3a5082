package dev.knowgate.categorize.quarantine;

import dev.knowgate.categorize.auth.CuratorKeys;
import dev.knowgate.categorize.stream.CategorizeTopology;
import dev.knowgate.categorize.stream.QuarantinedExample;
import dev.knowgate.categorize.verdicts.VerdictForwarder;
import dev.knowgate.categorize.verdicts.VerdictOwners;
import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.QuarantineDecision;
import dev.knowgate.contracts.QuarantineEntry;
import dev.knowgate.contracts.QuarantinePage;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.service.auth.AuthProblems;
import dev.knowgate.service.problem.ProblemResponse;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The quarantine as a queue curators review (docs/curators.md):
 * <ul>
 *   <li>GET /v1/quarantine: quarantined examples by state, submission, relation, version and age,
 *       oldest first, gathered from every instance's store;</li>
 *   <li>GET /v1/quarantine/{exampleId}: one, with its verdict, model answer and decisions;</li>
 *   <li>POST /v1/quarantine/{exampleId}/decisions: release, drop or amend it. The example's owner
 *       checks it (the curator's own or an admin's, open, the verdict in force) and writes the decision
 *       to quarantine.decisions; the stream applies it once, in the transaction of its effect.</li>
 * </ul>
 * A curator's key sees and decides on the curator's own examples; {@code admin} on anyone's.
 */
@Path("/v1/quarantine")
@RolesAllowed({CuratorKeys.SUBMIT, CuratorKeys.ADMIN})
public class QuarantineResource {

    private static final Logger LOG = Logger.getLogger(QuarantineResource.class);
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    /** How long a written decision keeps others for the same example out while the stream applies it. */
    private static final Duration IN_FLIGHT = Duration.ofSeconds(30);

    private record InFlight(QuarantineDecision decision, Instant until) {
    }

    /** Decisions written by this instance and not yet seen applied: a second one meanwhile is refused. */
    private static final Map<String, InFlight> IN_FLIGHT_BY_EXAMPLE = new ConcurrentHashMap<>();

    private final KafkaStreams streams;
    private final VerdictOwners owners;
    private final VerdictForwarder forwarder;
    private final SecurityIdentity identity;
    private final DecisionWriter writer;
    private final Clock clock = Clock.systemUTC();

    @Inject
    public QuarantineResource(KafkaStreams streams, VerdictOwners owners, VerdictForwarder forwarder,
                              SecurityIdentity identity, DecisionWriter writer) {
        this.streams = streams;
        this.owners = owners;
        this.forwarder = forwarder;
        this.identity = identity;
        this.writer = writer;
    }

    /** The filter of a listing, as given in the query. */
    record Filter(String state, String submission, String relation, String model, Duration olderThan, String curator,
                  int limit) {

        Predicate<QuarantineEntry> matches(Instant now) {
            return e -> ("all".equals(state) || e.state().wireName().equals(state))
                    && (submission == null || submission.equals(e.example().submission()))
                    && (relation == null || relation.equals(e.example().relation()))
                    && (model == null || e.model().equals(model) || e.model().startsWith(model + "@"))
                    && (olderThan == null || !e.quarantinedAt().isAfter(now.minus(olderThan)))
                    && (curator == null || curator.equals(e.example().curator()));
        }
    }

    @GET
    @Produces({MediaType.APPLICATION_JSON, ProblemResponse.PROBLEM_JSON})
    public Response list(@Context UriInfo uri, @HeaderParam(VerdictForwarder.FORWARDED_BY) String forwardedBy,
                         @Context HttpHeaders headers) {
        Map<String, List<String>> q = uri.getQueryParameters();
        String caller = identity.getPrincipal().getName();
        String curator = first(q, "curator");
        boolean admin = identity.hasRole(CuratorKeys.ADMIN);
        if (curator != null && !curator.equals(caller) && !admin) {
            return owners.served(AuthProblems.forbidden(caller, CuratorKeys.ADMIN));
        }
        Filter filter;
        try {
            filter = filter(q, admin ? curator : caller);
        } catch (IllegalArgumentException e) {
            return owners.served(ProblemResponse.of(400, "invalid-filter", "Invalid quarantine filter", e.getMessage()));
        }
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return owners.served(VerdictForwarder.unavailable("store-unavailable", "the instances are "
                    + streams.state().name().toLowerCase(Locale.ROOT) + "; try again shortly"));
        }
        List<QuarantineEntry> matching = new ArrayList<>();
        try {
            matching.addAll(local(filter));
        } catch (InvalidStateStoreException e) {
            return owners.served(VerdictForwarder.unavailable("store-unavailable", "the quarantine store is not ready ("
                    + e.getMessage() + "); try again shortly"));
        }
        long total = matching.size();
        if (forwardedBy == null) {
            // Every instance that runs partitions this one does not lists what its own tasks hold; a missing
            // answer is an error, not a shorter queue. Which instance is this one is told by the partitions it
            // runs, not by comparing host names (an advertised name may differ from the one configured here).
            String query = uri.getRequestUri().getRawQuery();
            Set<TopicPartition> here = streams.metadataForLocalThreads().stream()
                    .flatMap(thread -> thread.activeTasks().stream())
                    .flatMap(task -> task.topicPartitions().stream()).collect(Collectors.toSet());
            for (StreamsMetadata other : streams.metadataForAllStreamsClients()) {
                boolean holdsOthers = other.topicPartitions().stream()
                        .anyMatch(tp -> tp.topic().equals(CategorizeTopology.SOURCE_TOPIC) && !here.contains(tp));
                if (!holdsOthers || !other.stateStoreNames().contains(CategorizeTopology.QUARANTINE_STORE)) {
                    continue;
                }
                Response r = forwarder.forward(other.hostInfo(), "/v1/quarantine" + (query == null ? "" : "?" + query),
                        "the quarantine", owners.self(), VerdictForwarder.credentials(headers));
                if (r.getStatus() != 200) {
                    return r;
                }
                QuarantinePage page;
                try {
                    page = ContractJson.read((String) r.getEntity(), QuarantinePage.class);
                } catch (ContractViolation v) {
                    return owners.served(VerdictForwarder.unavailable("owner-unreachable", other.hostInfo()
                            + " answered the quarantine listing with something else: " + v.getMessage()));
                }
                matching.addAll(page.entries());
                total += page.total();
            }
        }
        matching.sort(Comparator.comparing(QuarantineEntry::quarantinedAt).thenComparing(e -> e.example().id()));
        List<QuarantineEntry> first = matching.subList(0, Math.min(matching.size(), filter.limit()));
        return owners.served(Response.ok(ContractJson.writeString(new QuarantinePage(total, first)),
                MediaType.APPLICATION_JSON_TYPE).build());
    }

    /** This instance's matches, at most the limit of them (the total counts them all), oldest first. */
    private List<QuarantineEntry> local(Filter filter) {
        ReadOnlyKeyValueStore<String, QuarantinedExample> store = streams.store(StoreQueryParameters.fromNameAndType(
                CategorizeTopology.QUARANTINE_STORE, QueryableStoreTypes.<String, QuarantinedExample>keyValueStore()));
        Predicate<QuarantineEntry> matches = filter.matches(clock.instant());
        List<QuarantineEntry> out = new ArrayList<>();
        try (KeyValueIterator<String, QuarantinedExample> it = store.all()) {
            it.forEachRemaining(kv -> {
                QuarantineEntry e = kv.value.entry();
                if (matches.test(e)) {
                    out.add(e);
                }
            });
        }
        return out;
    }

    @GET
    @Path("/{exampleId}")
    @Produces({MediaType.APPLICATION_JSON, ProblemResponse.PROBLEM_JSON})
    public Response one(@PathParam("exampleId") String exampleId,
                        @HeaderParam(VerdictForwarder.FORWARDED_BY) String forwardedBy, @Context HttpHeaders headers) {
        Response invalid = invalidId(exampleId);
        if (invalid != null) {
            return invalid;
        }
        return owners.answer(owners.ownerOfQuarantined(exampleId), "example '" + exampleId + "'", "quarantine", forwardedBy,
                partition -> {
                    QuarantinedExample q;
                    try {
                        q = store(partition).get(exampleId);
                    } catch (InvalidStateStoreException e) {
                        return notReady(partition);
                    }
                    Response refused = refused(exampleId, q);
                    return refused != null ? refused
                            : Response.ok(ContractJson.writeString(q.entry()), MediaType.APPLICATION_JSON_TYPE).build();
                },
                owner -> forwarder.forward(owner, "/v1/quarantine/" + VerdictForwarder.segment(exampleId),
                        "example '" + exampleId + "'", owners.self(), VerdictForwarder.credentials(headers)));
    }

    @POST
    @Path("/{exampleId}/decisions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, ProblemResponse.PROBLEM_JSON})
    public Response decide(@PathParam("exampleId") String exampleId, String body,
                           @HeaderParam(VerdictForwarder.FORWARDED_BY) String forwardedBy, @Context HttpHeaders headers) {
        Response invalid = invalidId(exampleId);
        if (invalid != null) {
            return invalid;
        }
        DecisionRequest request;
        try {
            request = ContractJson.read(body == null ? "" : body, DecisionRequest.class);
        } catch (ContractViolation v) {
            return owners.served(ProblemResponse.of(400, "invalid-decision", "Invalid decision", v.getMessage()));
        }
        return owners.answer(owners.ownerOfQuarantined(exampleId), "example '" + exampleId + "'", "quarantine", forwardedBy,
                partition -> decideHere(exampleId, partition, request),
                owner -> forwarder.forward(owner, "POST", body, "/v1/quarantine/" + VerdictForwarder.segment(exampleId)
                        + "/decisions", "example '" + exampleId + "'", owners.self(), VerdictForwarder.credentials(headers)));
    }

    private Response decideHere(String exampleId, int partition, DecisionRequest request) {
        QuarantinedExample q;
        try {
            q = store(partition).get(exampleId);
        } catch (InvalidStateStoreException e) {
            return notReady(partition);
        }
        Response refused = refused(exampleId, q);
        if (refused != null) {
            return refused;
        }
        String caller = identity.getPrincipal().getName();
        QuarantineDecision decision;
        try {
            QuarantineDecision.Action action = request.action() == null ? null
                    : QuarantineDecision.Action.fromWire(request.action().trim().toLowerCase(Locale.ROOT));
            if (action == QuarantineDecision.Action.RETURN) {
                throw ContractViolation.invalid("action", "'return' is the trainer's; a curator releases, drops or amends");
            }
            String id = request.decisionId() == null || request.decisionId().isBlank()
                    ? "dec-" + UUID.randomUUID() : request.decisionId();
            String amendedId = action == QuarantineDecision.Action.AMEND
                    ? QuarantineDecision.amended(q.example(), blankToNull(request.answer()), request.aliases()).id() : null;
            decision = new QuarantineDecision(id, exampleId, action, caller, request.reason(),
                    request.verdictModel() == null ? q.modelKey() : request.verdictModel(), request.answer(),
                    request.aliases(), amendedId, clock.instant());
        } catch (ContractViolation v) {
            return ProblemResponse.of(400, "invalid-decision", "Invalid decision", v.getMessage());
        }
        if (q.applied(decision.decisionId())) {
            // The same decision again (a retried request): it was applied once; here it is.
            QuarantineDecision applied = q.decisions().stream().filter(d -> d.decisionId().equals(decision.decisionId()))
                    .findFirst().orElseThrow();
            return Response.ok(ContractJson.writeString(applied), MediaType.APPLICATION_JSON_TYPE).build();
        }
        if (!q.open()) {
            return ProblemResponse.of(409, "not-open", "Not open for a decision", "example '" + exampleId + "' is "
                    + q.state().wireName() + " (" + last(q) + "); it takes no further decision");
        }
        if (!decision.verdictModel().equals(q.modelKey())) {
            return ProblemResponse.of(409, "stale-verdict", "Another verdict is in force", "the decision answers the verdict of "
                    + decision.verdictModel() + ", but example '" + exampleId + "' was quarantined again by " + q.modelKey()
                    + "; review that verdict");
        }
        Instant now = clock.instant();
        InFlight pending = IN_FLIGHT_BY_EXAMPLE.get(exampleId);
        if (pending != null && now.isBefore(pending.until())) {
            if (pending.decision().decisionId().equals(decision.decisionId())) {
                return accepted(pending.decision()); // written already, not applied yet: the same answer
            }
            return ProblemResponse.of(409, "decision-pending", "A decision is being applied", "decision "
                    + pending.decision().decisionId() + " (" + pending.decision().action().wireName() + " by "
                    + pending.decision().decidedBy() + ") about example '" + exampleId + "' is being applied");
        }
        try {
            writer.write(decision);
        } catch (Exception e) {
            LOG.warnf("writing decision %s failed: %s", decision.decisionId(), e.getMessage());
            Response r = ProblemResponse.of(503, "decision-not-written", "Decision not written",
                    "the decision could not be written to quarantine.decisions (" + e.getMessage() + "); send it again with "
                            + "decisionId " + decision.decisionId() + ", which is applied once");
            return Response.fromResponse(r).header("Retry-After", "2").build();
        }
        IN_FLIGHT_BY_EXAMPLE.put(exampleId, new InFlight(decision, now.plus(IN_FLIGHT)));
        IN_FLIGHT_BY_EXAMPLE.values().removeIf(f -> now.isAfter(f.until()));
        return accepted(decision);
    }

    private static Response accepted(QuarantineDecision decision) {
        return Response.status(202).type(MediaType.APPLICATION_JSON_TYPE)
                .header("Location", "/v1/quarantine/" + VerdictForwarder.segment(decision.exampleId()))
                .entity(ContractJson.writeString(decision)).build();
    }

    private static String last(QuarantinedExample q) {
        if (q.decisions().isEmpty()) {
            return "no decision: a later version knows it";
        }
        QuarantineDecision d = q.decisions().get(q.decisions().size() - 1);
        return d.action().wireName() + " by " + d.decidedBy() + " at " + d.decidedAt();
    }

    /** 404 when it is not quarantined here, 403 when it is another curator's and the caller is no admin. */
    private Response refused(String exampleId, QuarantinedExample q) {
        if (q == null) {
            return ProblemResponse.of(404, "not-quarantined", "Not in the quarantine",
                    "example '" + exampleId + "' is not in the quarantine (never quarantined, or past the store's retention)");
        }
        String caller = identity.getPrincipal().getName();
        if (!caller.equals(q.example().curator()) && !identity.hasRole(CuratorKeys.ADMIN)) {
            return AuthProblems.forbidden(caller, CuratorKeys.ADMIN);
        }
        return null;
    }

    private ReadOnlyKeyValueStore<String, QuarantinedExample> store(int partition) {
        return streams.store(StoreQueryParameters.fromNameAndType(CategorizeTopology.QUARANTINE_STORE,
                QueryableStoreTypes.<String, QuarantinedExample>keyValueStore()).withPartition(partition));
    }

    private Response notReady(int partition) {
        return VerdictForwarder.unavailable("store-unavailable", "the quarantine store of partition " + partition
                + " is not ready (" + streams.state() + "); try again shortly");
    }

    private Response invalidId(String exampleId) {
        try {
            Example.exampleId(exampleId);
            return null;
        } catch (ContractViolation v) {
            return owners.served(ProblemResponse.of(400, "invalid-example-id", "Not an example id", v.getMessage()));
        }
    }

    static Filter filter(Map<String, List<String>> q, String curator) {
        String state = first(q, "state");
        state = state == null ? "open" : state.trim().toLowerCase(Locale.ROOT);
        if (!state.equals("all")) {
            QuarantineEntry.State.fromWire(state); // refuses an unknown state, naming the known ones
        }
        Duration olderThan = null;
        String age = first(q, "olderThan");
        if (age != null) {
            String a = age.trim().toUpperCase(Locale.ROOT);
            try {
                // ISO-8601 (PT2H, P1D), or the short forms 30m, 2h, 1d.
                olderThan = Duration.parse(a.startsWith("P") ? a : a.endsWith("D") ? "P" + a : "PT" + a);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("olderThan '" + age + "' is not a duration (PT2H, 30m, P1D)");
            }
        }
        int limit = DEFAULT_LIMIT;
        String l = first(q, "limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l.trim());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT + ", got '" + l + "'");
            }
        }
        return new Filter(state, first(q, "submission"), first(q, "relation"), first(q, "model"), olderThan, curator, limit);
    }

    private static String first(Map<String, List<String>> q, String name) {
        List<String> v = q.get(name);
        return v == null || v.isEmpty() || v.get(0).isBlank() ? null : v.get(0);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
