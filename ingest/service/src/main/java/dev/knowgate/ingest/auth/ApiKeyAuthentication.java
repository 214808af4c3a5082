package dev.knowgate.ingest.auth;

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

import java.util.Locale;
import java.util.stream.Collectors;

/**
 * ingest's use of the shared API-key authentication (libs/service-support), as in the trainer and the monitor:
 * its keys are the curators' keys, {@code @RolesAllowed("submit")} guards the examples endpoints, and refusals
 * are problem documents.
 */
@ApplicationScoped
public class ApiKeyAuthentication extends ApiKeyAuthenticationMechanism {

    /** Turns a presented key into the identity of its curator: the name, and the rights as roles. */
    @ApplicationScoped
    public static class Keys extends ApiKeyIdentityProvider {

        @Inject
        ApiKeys keys;

        @Override
        protected ApiKeyStore keys() {
            return keys.store();
        }
    }

    /** The curator behind an authenticated request. */
    public static Curator curator(SecurityIdentity identity) {
        return new Curator(identity.getPrincipal().getName(), identity.getRoles().stream()
                .map(r -> Right.valueOf(r.toUpperCase(Locale.ROOT))).collect(Collectors.toSet()));
    }

    /** 401 and 403 as problem documents. */
    public static class Problems {

        @Inject
        SecurityIdentity identity;

        @ServerExceptionMapper
        public Response unauthenticated(UnauthorizedException e) {
            return AuthProblems.unauthenticated(AuthProblems.sendKey("the"));
        }

        @ServerExceptionMapper
        public Response unknownKey(AuthenticationFailedException e) {
            return AuthProblems.unauthenticated("unknown API key");
        }

        @ServerExceptionMapper
        public Response forbidden(ForbiddenException e) {
            return AuthProblems.forbidden(identity.getPrincipal().getName(), Right.SUBMIT.name().toLowerCase(Locale.ROOT));
        }
    }
}
