package dev.knowgate.ingest.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.knowgate.contracts.ContractViolation;
import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.RejectionReason;
import dev.knowgate.contracts.SubmissionStatus;
import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.ingest.IngestConfig;
import dev.knowgate.ingest.auth.ApiKeyAuthentication;
import dev.knowgate.ingest.auth.Curator;
import dev.knowgate.ingest.problem.ProblemType;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The curators' way in. Both endpoints are atomic: every example of a request is on the broker
 * (acknowledged, committed) when they answer 202, and none is when they answer with a problem.
 * Ids are content hashes unless given, so a retried request yields the same ids.
 */
@Path("/v1/examples")
@SecurityRequirement(name = "apiKey")
@RolesAllowed("submit")
public class ExamplesResource {

    public static final String NDJSON = "application/x-ndjson";
    private static final Logger LOG = Logger.getLogger(ExamplesResource.class);
    private static final JsonMapper MAPPER = ContractJson.mapper();

    @Inject
    IngestConfig config;

    @Inject
    ExamplePublisher publisher;

    @Inject
    IngestMetrics metrics;

    @Inject
    SecurityIdentity identity;

    Clock clock = Clock.systemUTC();

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, ProblemType.MEDIA_TYPE})
    @Operation(summary = "Submit one example (a JSON object) or several (a JSON array, at most knowgate.ingest.max-items)")
    @APIResponse(responseCode = "202", description = "every example acknowledged by the broker; body: accepted count, ids and submission")
    @APIResponse(responseCode = "422", description = "some items invalid (listed by index); none accepted")
    @APIResponse(responseCode = "503", description = "the broker did not acknowledge; nothing accepted; retry after Retry-After")
    public Response submit(InputStream body, @Context ContainerRequestContext request) {
        long start = System.nanoTime();
        Curator curator = ApiKeyAuthentication.curator(identity);
        Optional<Response> badMediaType = mediaTypeProblem(request, MediaType.APPLICATION_JSON);
        if (badMediaType.isPresent()) {
            return done("json", start, badMediaType.get());
        }
        String submission;
        try {
            submission = SubmissionIds.of(request.getHeaderString(SubmissionStatus.HEADER));
        } catch (ContractViolation v) {
            return done("json", start, ProblemType.MALFORMED_BODY.response("header " + SubmissionStatus.HEADER + ": " + v.getMessage()));
        }
        byte[] bytes;
        try {
            bytes = body.readNBytes(config.maxBodyBytes() + 1);
        } catch (IOException e) {
            return done("json", start, ProblemType.MALFORMED_BODY.response("could not read the body: " + e.getMessage()));
        }
        if (bytes.length > config.maxBodyBytes()) {
            return done("json", start, ProblemType.TOO_LARGE.response(
                    "the body is larger than " + config.maxBodyBytes() + " bytes; use /v1/examples/bulk for large batches"));
        }
        JsonNode root;
        try {
            root = ContractJson.read(bytes, JsonNode.class);
        } catch (ContractViolation v) {
            return done("json", start, ProblemType.MALFORMED_BODY.response("the body is not valid JSON: " + v.getMessage()));
        }
        List<JsonNode> items = new ArrayList<>();
        if (root.isObject()) {
            items.add(root);
        } else if (root.isArray()) {
            root.forEach(items::add);
        } else {
            return done("json", start, ProblemType.MALFORMED_BODY.response(
                    "the body must be an example (a JSON object) or an array of examples"));
        }
        if (items.isEmpty()) {
            return done("json", start, ProblemType.MALFORMED_BODY.response("the array holds no examples"));
        }
        if (items.size() > config.maxItems()) {
            return done("json", start, ProblemType.TOO_LARGE.response("the array holds " + items.size()
                    + " examples; at most " + config.maxItems() + " per request (use /v1/examples/bulk)"));
        }
        SubmissionCheck check = new SubmissionCheck(curator, submission, clock.instant(), SubmissionCheck.Position.INDEX,
                config.maxReportedErrors());
        List<Example> examples = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            check.check(bytesOf(items.get(i)), i).ifPresent(examples::add);
        }
        if (check.failed()) {
            return done("json", start, refused(check, items.size()));
        }
        try (ExamplePublisher.Transaction tx = publisher.begin()) {
            examples.forEach(tx::send);
            tx.commit();
        } catch (ExamplePublisher.UnavailableException e) {
            return done("json", start, unavailable(e));
        }
        return done("json", start, accepted(curator, submission, examples.stream().map(Example::id).toList()));
    }

    @POST
    @Path("/bulk")
    @Consumes(NDJSON)
    @Produces({MediaType.APPLICATION_JSON, ProblemType.MEDIA_TYPE})
    @Operation(summary = "Submit newline-delimited examples, streamed (at most knowgate.ingest.max-bulk-lines lines)")
    @APIResponse(responseCode = "202", description = "every line acknowledged by the broker; body: accepted count, ids in line order and submission")
    @APIResponse(responseCode = "422", description = "some lines invalid (listed by 1-based line); none accepted")
    @APIResponse(responseCode = "503", description = "the broker did not acknowledge; nothing accepted; retry after Retry-After")
    public Response submitBulk(InputStream body, @Context ContainerRequestContext request) {
        long start = System.nanoTime();
        Curator curator = ApiKeyAuthentication.curator(identity);
        Optional<Response> badMediaType = mediaTypeProblem(request, NDJSON);
        if (badMediaType.isPresent()) {
            return done("bulk", start, badMediaType.get());
        }
        String submission;
        try {
            submission = SubmissionIds.of(request.getHeaderString(SubmissionStatus.HEADER));
        } catch (ContractViolation v) {
            return done("bulk", start, ProblemType.MALFORMED_BODY.response("header " + SubmissionStatus.HEADER + ": " + v.getMessage()));
        }
        SubmissionCheck check = new SubmissionCheck(curator, submission, clock.instant(), SubmissionCheck.Position.LINE,
                config.maxReportedErrors());
        NdjsonLines lines = new NdjsonLines(body, config.maxLineBytes(), config.maxBulkBytes());
        List<String> ids = new ArrayList<>();
        ExamplePublisher.Transaction tx = null;
        try {
            int examples = 0;
            for (NdjsonLines.Line line = lines.next(); line != null; line = lines.next()) {
                if (line.blank()) {
                    continue;
                }
                if (++examples > config.maxBulkLines()) {
                    return done("bulk", start, ProblemType.TOO_LARGE.response("more than " + config.maxBulkLines()
                            + " examples in one request; split the file"));
                }
                if (line.tooLong()) {
                    check.error(line.number(), null, RejectionReason.TOO_LONG.code(),
                            "line longer than " + config.maxLineBytes() + " bytes");
                    continue;
                }
                Optional<Example> example = check.check(line.bytes(), line.number());
                // Once anything is wrong nothing will be committed: stop sending, keep reporting.
                if (example.isPresent() && !check.failed()) {
                    if (tx == null) {
                        tx = publisher.begin();
                    }
                    tx.send(example.get());
                    ids.add(example.get().id());
                }
            }
            if (examples == 0) {
                return done("bulk", start, ProblemType.MALFORMED_BODY.response("the body holds no examples"));
            }
            if (check.failed()) {
                return done("bulk", start, refused(check, examples));
            }
            tx.commit();
            return done("bulk", start, accepted(curator, submission, ids));
        } catch (NdjsonLines.TooLargeException e) {
            return done("bulk", start, ProblemType.TOO_LARGE.response(e.getMessage()));
        } catch (UncheckedIOException e) {
            return done("bulk", start, ProblemType.MALFORMED_BODY.response("could not read the body: " + e.getMessage()));
        } catch (ExamplePublisher.UnavailableException e) {
            return done("bulk", start, unavailable(e));
        } finally {
            if (tx != null) {
                tx.close();
            }
        }
    }

    /**
     * JAX-RS matches a request without Content-Type to any @Consumes: refused here. The body is
     * always read as strict UTF-8; a declared charset that cannot even spell JSON's ASCII
     * punctuation the UTF-8 way (UTF-16, UTF-32, EBCDIC) is refused up front. Clients that add
     * ISO-8859-1 by default still work as long as their bytes are UTF-8 (plain ASCII is both).
     */
    private static Optional<Response> mediaTypeProblem(ContainerRequestContext request, String expected) {
        MediaType type = request.getMediaType();
        if (type == null) {
            return Optional.of(ProblemType.UNSUPPORTED_MEDIA_TYPE.response(
                    "the request has no Content-Type; send Content-Type: " + expected));
        }
        String charset = type.getParameters().get(MediaType.CHARSET_PARAMETER);
        if (charset != null && !asciiCompatible(charset)) {
            return Optional.of(ProblemType.UNSUPPORTED_MEDIA_TYPE.response(
                    "charset " + charset + " is not accepted; the body must be UTF-8"));
        }
        return Optional.empty();
    }

    private static final byte[] JSON_PUNCTUATION = "{\"a\":[1]}\n".getBytes(StandardCharsets.US_ASCII);

    private static boolean asciiCompatible(String charset) {
        try {
            ByteBuffer encoded = Charset.forName(charset).newEncoder().encode(
                    CharBuffer.wrap(new String(JSON_PUNCTUATION, StandardCharsets.US_ASCII)));
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return Arrays.equals(bytes, JSON_PUNCTUATION);
        } catch (IllegalArgumentException | UnsupportedOperationException | CharacterCodingException e) {
            return false; // unknown or unusable charset name
        }
    }

    private Response accepted(Curator curator, String submission, List<String> ids) {
        metrics.accepted(curator.name(), ids.size());
        return Response.status(Response.Status.ACCEPTED).type(MediaType.APPLICATION_JSON_TYPE)
                .header(SubmissionStatus.HEADER, submission)
                .entity(ContractJson.writeString(new Accepted(ids.size(), ids, submission))).build();
    }

    private Response refused(SubmissionCheck check, int items) {
        metrics.rejected(check.reported(), check.omitted());
        String detail = check.errorCount() + " of " + items + " examples refused; none was accepted";
        ProblemType type = check.onlyForbidden() ? ProblemType.FORBIDDEN : ProblemType.INVALID_EXAMPLES;
        return type.response(detail, check.reported(), check.omitted());
    }

    private static Response unavailable(ExamplePublisher.UnavailableException e) {
        LOG.warnf("refusing a request: %s", e.getMessage());
        return Response.fromResponse(ProblemType.BROKER_UNAVAILABLE.response(e.getMessage() + "; nothing was accepted"))
                .header("Retry-After", "5")
                .build();
    }

    private Response done(String endpoint, long start, Response response) {
        metrics.request(endpoint, String.valueOf(response.getStatus()), System.nanoTime() - start);
        return response;
    }

    private static byte[] bytesOf(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
