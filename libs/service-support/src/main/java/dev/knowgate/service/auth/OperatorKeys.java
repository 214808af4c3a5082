package dev.knowgate.service.auth;

import org.jboss.logging.Logger;

/**
 * A service's operator keys, loaded once at start (by SHA-256 only, the format every service
 * shares). Each service declares its bean as a subclass that hands over its {@code auth} group.
 */
public abstract class OperatorKeys {

    /** The right that {@code @RolesAllowed} checks on operators' writes. */
    public static final String OPERATOR = OperatorKeysConfig.OPERATOR;

    private static final Logger LOG = Logger.getLogger(OperatorKeys.class);

    private final ApiKeyStore store;

    /** For CDI's client proxy of the subclass bean only; the proxy delegates and never reads the store. */
    protected OperatorKeys() {
        this.store = null;
    }

    /**
     * @param prefix  where the keys are configured, e.g. {@code knowgate.monitor.auth}
     * @param refused what no key means, for the log: "promoting or rejecting versions by hand is refused"
     */
    protected OperatorKeys(OperatorKeysConfig config, String prefix, String refused) {
        this.store = OperatorKeysConfig.load(config, prefix);
        if (store.isEmpty()) {
            LOG.infof("no operator keys configured: %s (%s)", refused, prefix);
        } else {
            LOG.infof("%d operator key(s) loaded (%s)", store.size(), prefix);
        }
    }

    public ApiKeyStore store() {
        return store;
    }
}
