package dev.knowgate.monitor.stream;

import dev.knowgate.monitor.flagging.UnknownShareCusum;

/**
 * Per lineage: the newest window seen (windows before it are closed and tested once) and the
 * CUSUM over the closed windows' Unknown shares.
 */
public record MixState(long currentWindowStart, UnknownShareCusum cusum) {
}
