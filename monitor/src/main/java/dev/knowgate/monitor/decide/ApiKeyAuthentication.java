package dev.knowgate.monitor.decide;

import dev.knowgate.service.auth.ApiKeyStore;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.Set;

/**
 * Quarkus Security for the monitor's writes: the API key ({@code Authorization: Bearer <key>} or
 * {@code X-Api-Key}) is the credential, its holder the principal and its rights the roles, so
 * {@code @RolesAllowed("operator")} guards the decision endpoints. A request without a key is
 * anonymous (reads stay open); an unknown key is refused. The key is hashed at once and never logged.
 */
@ApplicationScoped
public class ApiKeyAuthentication implements HttpAuthenticationMechanism {

    static final String API_KEY = "api-key";

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

    /** Turns a presented key into the identity of its holder. */
    @ApplicationScoped
    public static class Keys implements IdentityProvider<TokenAuthenticationRequest> {

        private static final Logger LOG = Logger.getLogger(Keys.class);

        @Inject
        OperatorKeys keys;

        @Override
        public Class<TokenAuthenticationRequest> getRequestType() {
            return TokenAuthenticationRequest.class;
        }

        @Override
        public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
            String presented = request.getToken().getToken();
            Optional<ApiKeyStore.Holder> holder = keys.lookup(presented);
            if (holder.isEmpty()) {
                // A prefix of the key's hash lets an operator correlate attempts; the key itself is never logged.
                LOG.infof("refused an unknown API key (sha256 %s...)", ApiKeyStore.sha256(presented).substring(0, 8));
                return Uni.createFrom().failure(new AuthenticationFailedException("unknown API key"));
            }
            return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                    .setPrincipal(new QuarkusPrincipal(holder.get().name()))
                    .addRoles(holder.get().rights())
                    .addCredential(request.getToken())
                    .build());
        }
    }
}
