package dev.knowgate.service.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The 401 and 403 of every service's guarded endpoints as problem documents, worded by the service's
 * {@link ApiKeyAuthenticationMechanism}. Found by every service through this library's index; a service
 * without the mechanism guards nothing, so these never fire there.
 */
public class AuthProblemMappers {

    /** Instances, not beans: a service without Quarkus Security (categorize-stream) has neither. */
    @Inject
    Instance<SecurityIdentity> identity;

    @Inject
    Instance<ApiKeyAuthenticationMechanism> mechanism;

    @ServerExceptionMapper
    public Response unauthenticated(UnauthorizedException e) {
        String whose = mechanism.isResolvable() ? mechanism.get().whoseKey() : "an";
        return AuthProblems.unauthenticated(AuthProblems.sendKey(whose));
    }

    @ServerExceptionMapper
    public Response unknownKey(AuthenticationFailedException e) {
        return AuthProblems.unauthenticated("unknown API key");
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        String right = mechanism.isResolvable() ? mechanism.get().requiredRight() : "unknown";
        String holder = identity.isResolvable() ? identity.get().getPrincipal().getName() : "unknown";
        return AuthProblems.forbidden(holder, right);
    }
}
