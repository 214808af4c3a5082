package dev.knowgate.service.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * Turns a presented API key into the identity of its holder: the holder's name is the principal,
 * its rights are the roles. An unknown key is refused, logged by the first 8 hex digits of its
 * hash only. Abstract for the reason {@link ApiKeyAuthenticationMechanism} is; a subclass says
 * where its service's keys are.
 */
public abstract class ApiKeyIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    private static final Logger LOG = Logger.getLogger(ApiKeyIdentityProvider.class);

    /** The service's keys. */
    protected abstract ApiKeyStore keys();

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        String presented = request.getToken().getToken();
        Optional<ApiKeyStore.Holder> holder = keys().lookup(presented);
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
