package dev.knowgate.service.problem;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Locale;

/**
 * Every service's REST errors as problem documents, not as an HTML or empty body: an unknown resource, a method
 * or a media type an endpoint does not take, any other HTTP error the framework raises, and an unexpected failure
 * (logged; its message is not sent). Found by every service through this library's index.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return ProblemResponse.of(404, "not-found", "Not found", "no such resource");
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e) {
        return ProblemResponse.of(405, "method-not-allowed", "Method not allowed", "method not allowed on this resource");
    }

    @ServerExceptionMapper
    public Response unsupported(NotSupportedException e) {
        return ProblemResponse.of(415, "unsupported-media-type", "Unsupported media type",
                "this endpoint does not take the request's Content-Type; /q/openapi lists what each endpoint takes");
    }

    @ServerExceptionMapper
    public Response other(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status == 413) {
            return ProblemResponse.of(413, "too-large", "Request too large", "the request body is larger than the server accepts");
        }
        Response.StatusType type = Response.Status.fromStatusCode(status);
        String title = type != null ? type.getReasonPhrase() : "HTTP " + status;
        LOG.infof("request failed with %d: %s", status, e.getMessage());
        return ProblemResponse.of(status, title.toLowerCase(Locale.ROOT).replace(' ', '-'), title,
                e.getMessage() == null ? title : e.getMessage());
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected error while handling a request", e);
        return ProblemResponse.of(500, "internal", "Internal error", "unexpected error; see the service log");
    }
}
