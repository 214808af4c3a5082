package dev.knowgate.monitor.decide;

import dev.knowgate.service.auth.OperatorKeyAuthentication;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The monitor's use of the shared API-key authentication (libs/service-support): its keys are the
 * operator keys ({@link OperatorKeys}), and {@code @RolesAllowed(OperatorKeys.OPERATOR)} guards the decisions by hand.
 */
@ApplicationScoped
public class ApiKeyAuthentication extends OperatorKeyAuthentication {

    /** Turns a presented key into the identity of its holder. */
    @ApplicationScoped
    public static class Keys extends OperatorKeyAuthentication.Keys {
    }
}
