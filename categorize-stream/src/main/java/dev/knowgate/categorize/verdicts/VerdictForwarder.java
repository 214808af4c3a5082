package dev.knowgate.categorize.verdicts;

import dev.knowgate.categorize.CategorizeConfig;
import dev.knowgate.service.auth.ApiKeyStore;
import dev.knowgate.service.problem.ProblemResponse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.streams.state.HostInfo;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Asks the instance that owns a key for its verdicts and hands its answer back as it is (proxying
 * rather than redirecting: a client needs to reach only one instance, e.g. through a Service).
 */
@ApplicationScoped
public class VerdictForwarder {

    /** Set on a forwarded request, so that the owner never forwards it again (no loops while ownership moves). */
    public static final String FORWARDED_BY = "Knowgate-Forwarded-By";
    /** The instance (application.server) whose store answered. */
    public static final String SERVED_BY = "Knowgate-Served-By";

    private final HttpClient http;
    private final Duration timeout;

    @Inject
    public VerdictForwarder(CategorizeConfig config) {
        this.timeout = config.queries().forwardTimeout();
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    public Response forward(HostInfo owner, String exampleId, HostInfo self) {
        return forward(owner, "/v1/verdicts/" + segment(exampleId), "example '" + exampleId + "'", self, Map.of());
    }

    /**
     * Asks the owner for {@code pathAndQuery} (already encoded) with the given request headers (a
     * caller's credentials: the owner checks them again), and hands its answer back; {@code what} names
     * the key in messages.
     */
    public Response forward(HostInfo owner, String pathAndQuery, String what, HostInfo self, Map<String, String> headers) {
        return forward(owner, "GET", null, pathAndQuery, what, self, headers);
    }

    /** The same for a request with a JSON body ({@code body} null: none). */
    public Response forward(HostInfo owner, String method, String body, String pathAndQuery, String what, HostInfo self,
                            Map<String, String> headers) {
        String host = owner.host().contains(":") ? "[" + owner.host() + "]" : owner.host();
        URI uri = URI.create("http://" + host + ":" + owner.port() + pathAndQuery);
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header(FORWARDED_BY, self.host() + ":" + self.port());
        if (body != null) {
            builder.header("Content-Type", "application/json");
        }
        headers.forEach(builder::header);
        HttpRequest request = builder.build();
        HttpResponse<String> answer;
        try {
            answer = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            // The owner died or is restarting; the group will notice and hand its partitions over.
            return unavailable("owner-unreachable", "the instance that owns " + what + " ("
                    + owner.host() + ":" + owner.port() + ") did not answer (" + e + "); its partitions move to another "
                    + "instance once the group notices");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable("owner-unreachable", "interrupted while asking " + owner.host() + ":" + owner.port());
        }
        Response.ResponseBuilder b = Response.status(answer.statusCode()).entity(answer.body());
        answer.headers().firstValue("Content-Type").ifPresent(t -> b.header("Content-Type", t));
        answer.headers().firstValue("Retry-After").ifPresent(t -> b.header("Retry-After", t));
        answer.headers().firstValue(SERVED_BY).ifPresent(t -> b.header(SERVED_BY, t));
        answer.headers().firstValue("Location").ifPresent(t -> b.header("Location", t));
        return b.build();
    }

    /** The caller's own credentials, for the owner to check again. */
    public static Map<String, String> credentials(jakarta.ws.rs.core.HttpHeaders headers) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String name : new String[] {jakarta.ws.rs.core.HttpHeaders.AUTHORIZATION, ApiKeyStore.API_KEY_HEADER}) {
            String value = headers.getHeaderString(name);
            if (value != null) {
                out.put(name, value);
            }
        }
        return out;
    }

    /** One URL path segment. */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public static Response unavailable(String slug, String detail) {
        Response r = ProblemResponse.of(503, slug, "Verdicts not queryable right now", detail);
        return Response.fromResponse(r).header("Retry-After", "2").build();
    }
}
