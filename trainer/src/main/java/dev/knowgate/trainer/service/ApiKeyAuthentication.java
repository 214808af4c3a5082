package dev.knowgate.trainer.service;

import dev.knowgate.service.auth.ApiKeyAuthenticationMechanism;
import dev.knowgate.service.auth.ApiKeyIdentityProvider;
import dev.knowgate.service.auth.ApiKeyStore;
import dev.knowgate.service.auth.AuthProblems;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The trainer's use of the shared API-key authentication (libs/service-support): its keys are the
 * operator keys, {@code @RolesAllowed("operator")} guards the writes, and refusals are problem documents.
 */
@ApplicationScoped
public class ApiKeyAuthentication extends ApiKeyAuthenticationMechanism {

    /** Turns a presented key into the identity of its holder. */
    @ApplicationScoped
    public static class Keys extends ApiKeyIdentityProvider {

        @Inject
        OperatorKeys keys;

        @Override
        protected ApiKeyStore keys() {
            return keys.store();
        }
    }

    /** 401 and 403 of the write endpoints as problem documents. */
    public static class Problems {

        @Inject
        SecurityIdentity identity;

        @ServerExceptionMapper
        public Response unauthenticated(UnauthorizedException e) {
            return AuthProblems.unauthenticated(AuthProblems.sendKey("an operator's"));
        }

        @ServerExceptionMapper
        public Response unknownKey(AuthenticationFailedException e) {
            return AuthProblems.unauthenticated("unknown API key");
        }

        @ServerExceptionMapper
        public Response forbidden(ForbiddenException e) {
            return AuthProblems.forbidden(identity.getPrincipal().getName(), OperatorKeys.OPERATOR);
        }
    }
}
