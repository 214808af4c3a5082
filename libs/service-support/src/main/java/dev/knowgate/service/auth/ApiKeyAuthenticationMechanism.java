package dev.knowgate.service.auth;

import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

import java.util.Optional;
import java.util.Set;

/**
 * Quarkus Security for a service's writes: the API key ({@code Authorization: Bearer <key>} or
 * {@code X-Api-Key}) is the credential, so {@code @RolesAllowed} guards the write endpoints. A
 * request without a key is anonymous (reads stay open); {@link ApiKeyIdentityProvider} turns a key
 * into its holder or refuses it.
 *
 * <p>Abstract so that it is a bean only in the services that opt in, with a small
 * {@code @ApplicationScoped} subclass: ingest (curator keys), the trainer and the monitor (operator keys).
 * Its refusals are problem documents ({@link AuthProblemMappers}) worded by {@link #whoseKey()} and
 * {@link #requiredRight()}.
 */
public abstract class ApiKeyAuthenticationMechanism implements HttpAuthenticationMechanism {

    /** The credential type of an API key. */
    public static final String API_KEY = "api-key";

    /** Whose key a request without one should send, for the 401: "the", "an operator's". */
    public abstract String whoseKey();

    /** The right the service's guarded endpoints need, named in the 403. */
    public abstract String requiredRight();

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager providers) {
        Optional<String> key = ApiKeyStore.presentedKey(name -> context.request().getHeader(name));
        if (key.isEmpty()) {
            return Uni.createFrom().optional(Optional.empty());
        }
        TokenAuthenticationRequest request = new TokenAuthenticationRequest(new TokenCredential(key.get(), API_KEY));
        return providers.authenticate(HttpSecurityUtils.setRoutingContextAttribute(request, context));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer realm=\"knowgate\""));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(TokenAuthenticationRequest.class);
    }
}
