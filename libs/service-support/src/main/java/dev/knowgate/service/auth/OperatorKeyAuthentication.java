package dev.knowgate.service.auth;

import jakarta.inject.Inject;

/**
 * The API-key mechanism of a service whose writes are operators': the trainer and the monitor each
 * declare it with an empty {@code @ApplicationScoped} subclass (and one of {@link Keys}), and guard
 * their writes with {@code @RolesAllowed(OperatorKeys.OPERATOR)}.
 */
public abstract class OperatorKeyAuthentication extends ApiKeyAuthenticationMechanism {

    @Override
    public String whoseKey() {
        return "an operator's";
    }

    @Override
    public String requiredRight() {
        return OperatorKeys.OPERATOR;
    }

    /** Turns a presented key into the identity of its holder, from the service's {@link OperatorKeys}. */
    public abstract static class Keys extends ApiKeyIdentityProvider {

        @Inject
        OperatorKeys keys;

        @Override
        protected ApiKeyStore keys() {
            return keys.store();
        }
    }
}
