package dev.knowgate.categorize.auth;

import dev.knowgate.service.auth.ApiKeyAuthenticationMechanism;
import dev.knowgate.service.auth.ApiKeyIdentityProvider;
import dev.knowgate.service.auth.ApiKeyStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * categorize-stream's use of the shared API-key authentication (libs/service-support): curators'
 * keys guard the submissions endpoints; the verdicts endpoint stays open, as before.
 */
@ApplicationScoped
public class ApiKeyAuthentication extends ApiKeyAuthenticationMechanism {

    @Override
    public String whoseKey() {
        return "a curator's";
    }

    @Override
    public String requiredRight() {
        return CuratorKeys.SUBMIT;
    }

    /** Turns a presented key into the identity of its curator: the name, and the rights as roles. */
    @ApplicationScoped
    public static class Keys extends ApiKeyIdentityProvider {

        @Inject
        CuratorKeys keys;

        @Override
        protected ApiKeyStore keys() {
            return keys.store();
        }
    }
}
