package dev.knowgate.ingest.auth;

import dev.knowgate.ingest.problem.ProblemType;
import dev.knowgate.service.auth.ApiKeyStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Optional;

/**
 * Authenticates every API request by its key ({@code Authorization: Bearer <key>} or
 * {@code X-Api-Key: <key>}) and puts the {@link Curator} on the request. The key is hashed at once
 * and never logged.
 */
public class ApiKeyFilter {

    private static final Logger LOG = Logger.getLogger(ApiKeyFilter.class);
    public static final String CURATOR_PROPERTY = "knowgate.curator";
    static final String API_KEY_HEADER = ApiKeyStore.API_KEY_HEADER;

    @Inject
    ApiKeys keys;

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Optional<Response> authenticate(ContainerRequestContext request) {
        Optional<String> presented = presentedKey(request);
        if (presented.isEmpty()) {
            return Optional.of(unauthenticated("send the API key as 'Authorization: Bearer <key>' or '"
                    + API_KEY_HEADER + ": <key>'"));
        }
        Optional<Curator> curator = keys.lookup(presented.get());
        if (curator.isEmpty()) {
            // A prefix of the key's hash lets an operator correlate attempts; the key itself is never logged.
            LOG.infof("refused %s %s: unknown API key (sha256 %s...)", request.getMethod(),
                    request.getUriInfo().getPath(), ApiKeys.sha256(presented.get()).substring(0, 8));
            return Optional.of(unauthenticated("unknown API key"));
        }
        if (!curator.get().may(Right.SUBMIT)) {
            LOG.infof("refused %s %s: the key of %s lacks the right 'submit'", request.getMethod(),
                    request.getUriInfo().getPath(), curator.get().name());
            return Optional.of(ProblemType.FORBIDDEN.response(
                    "the API key of " + curator.get().name() + " lacks the right 'submit'"));
        }
        request.setProperty(CURATOR_PROPERTY, curator.get());
        return Optional.empty();
    }

    public static Curator curator(ContainerRequestContext request) {
        return (Curator) request.getProperty(CURATOR_PROPERTY);
    }

    private static Optional<String> presentedKey(ContainerRequestContext request) {
        return ApiKeyStore.presentedKey(request::getHeaderString);
    }

    private static Response unauthenticated(String detail) {
        return Response.fromResponse(ProblemType.UNAUTHENTICATED.response(detail))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"knowgate\"")
                .build();
    }
}
