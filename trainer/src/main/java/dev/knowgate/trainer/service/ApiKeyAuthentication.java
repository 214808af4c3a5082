package dev.knowgate.trainer.service;

import dev.knowgate.service.auth.OperatorKeyAuthentication;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The trainer's use of the shared API-key authentication (libs/service-support): its keys are the
 * operator keys ({@link OperatorKeys}), and {@code @RolesAllowed(OperatorKeys.OPERATOR)} guards the writes (pause, resume, start a round).
 */
@ApplicationScoped
public class ApiKeyAuthentication extends OperatorKeyAuthentication {

    /** Turns a presented key into the identity of its holder. */
    @ApplicationScoped
    public static class Keys extends OperatorKeyAuthentication.Keys {
    }
}
