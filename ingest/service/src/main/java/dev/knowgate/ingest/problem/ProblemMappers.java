package dev.knowgate.ingest.problem;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error of the API answers as a problem document, not as an HTML or empty body. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response unsupported(NotSupportedException e) {
        return ProblemType.UNSUPPORTED_MEDIA_TYPE.response(
                "send application/json to /v1/examples and application/x-ndjson to /v1/examples/bulk");
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return ProblemType.NOT_FOUND.response("no such resource");
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e) {
        return ProblemType.METHOD_NOT_ALLOWED.response("method not allowed on this resource");
    }

    @ServerExceptionMapper
    public Response other(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status == 413) {
            return ProblemType.TOO_LARGE.response("the request body is larger than the server accepts");
        }
        LOG.warnf("request failed with %d: %s", status, e.getMessage());
        return Response.fromResponse(ProblemType.INTERNAL.response(e.getMessage())).status(status).build();
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected error while handling a request", e);
        return ProblemType.INTERNAL.response("unexpected error; see the service log");
    }
}
