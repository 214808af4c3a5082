package dev.knowgate.ingest.problem;

import dev.knowgate.contracts.json.ContractJson;
import dev.knowgate.service.problem.Problem;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.HttpHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.List;
import java.util.Optional;

/**
 * The HTTP layer refuses a body whose Content-Length is over {@code quarkus.http.limits.max-body-size}
 * with a bare 413 before any JAX-RS code runs, so no exception mapper can dress it. This route runs
 * just before that check and answers the same refusal as a problem document.
 */
@ApplicationScoped
public class BodyLimitProblem {

    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    Optional<MemorySize> maxBodySize;

    void install(@Observes Router router) {
        if (maxBodySize.isEmpty()) {
            return;
        }
        long limit = maxBodySize.get().asLongValue();
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(ctx -> {
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && tooLong(length, limit)) {
                Problem problem = ProblemType.TOO_LARGE.problem("the body is " + length.strip()
                        + " bytes; this server accepts at most " + limit + " bytes in one request", List.of(), 0);
                // Connection: close, as the HTTP layer does: the unread body must not be taken for the next request.
                ctx.response().setStatusCode(ProblemType.TOO_LARGE.status())
                        .putHeader(HttpHeaders.CONTENT_TYPE, ProblemType.MEDIA_TYPE)
                        .putHeader("Connection", "close")
                        .end(ContractJson.writeString(problem));
                return;
            }
            ctx.next();
        });
    }

    private static boolean tooLong(String contentLength, long limit) {
        try {
            return Long.parseLong(contentLength.strip()) > limit;
        } catch (NumberFormatException e) {
            return false; // the HTTP layer answers a malformed length itself
        }
    }
}
