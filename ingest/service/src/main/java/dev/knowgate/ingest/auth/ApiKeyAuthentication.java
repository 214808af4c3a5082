package dev.knowgate.ingest.auth;

import dev.knowgate.service.auth.ApiKeyAuthenticationMechanism;
import dev.knowgate.service.auth.ApiKeyIdentityProvider;
import dev.knowgate.service.auth.ApiKeyStore;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Locale;
import java.util.stream.Collectors;

/**
 * ingest's use of the shared API-key authentication (libs/service-support), as in the trainer and the monitor:
 * its keys are the curators' keys, {@code @RolesAllowed("submit")} guards the examples endpoints.
 */
@ApplicationScoped
public class ApiKeyAuthentication extends ApiKeyAuthenticationMechanism {

    @Override
    public String whoseKey() {
        return "the";
    }

    @Override
    public String requiredRight() {
        return Right.SUBMIT.name().toLowerCase(Locale.ROOT);
    }

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
}
