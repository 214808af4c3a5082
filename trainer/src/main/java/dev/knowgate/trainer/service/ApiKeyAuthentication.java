package dev.knowgate.trainer.service;

import dev.knowgate.service.auth.ApiKeyAuthenticationMechanism;
import dev.knowgate.service.auth.ApiKeyIdentityProvider;
import dev.knowgate.service.auth.ApiKeyStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The trainer's use of the shared API-key authentication (libs/service-support): its keys are the
 * operator keys, {@code @RolesAllowed("operator")} guards the writes.
 */
@ApplicationScoped
public class ApiKeyAuthentication extends ApiKeyAuthenticationMechanism {

    @Override
    public String whoseKey() {
        return "an operator's";
    }

    @Override
    public String requiredRight() {
        return OperatorKeys.OPERATOR;
    }

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
}
