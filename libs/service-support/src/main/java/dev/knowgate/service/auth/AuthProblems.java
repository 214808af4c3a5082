package dev.knowgate.service.auth;

import dev.knowgate.service.problem.ProblemResponse;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

/**
 * The problem documents of refused writes, the same in every service that uses
 * {@link ApiKeyAuthenticationMechanism}: 401 with a Bearer challenge, 403 naming the missing right.
 */
public final class AuthProblems {

    private static final Logger LOG = Logger.getLogger(AuthProblems.class);

    private AuthProblems() {
    }

    /** No key (the endpoint needs one) or an unknown key. */
    public static Response unauthenticated(String detail) {
        return Response.fromResponse(ProblemResponse.of(401, "unauthenticated", "Authentication required", detail))
                .header("WWW-Authenticate", "Bearer realm=\"knowgate\"").build();
    }

    /** A known key without the right the endpoint needs; logged by the holder's name (never the key). */
    public static Response forbidden(String holder, String right) {
        LOG.infof("refused: the API key of %s lacks the right '%s'", holder, right);
        return ProblemResponse.of(403, "forbidden", "Not allowed",
                "the API key of " + holder + " lacks the right '" + right + "'");
    }

    /** What to send, for the 401 of a request without a key. */
    public static String sendKey(String whose) {
        return "send " + whose + " API key as 'Authorization: Bearer <key>' or '" + ApiKeyStore.API_KEY_HEADER + ": <key>'";
    }
}
