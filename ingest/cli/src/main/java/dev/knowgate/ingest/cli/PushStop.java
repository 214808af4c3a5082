package dev.knowgate.ingest.cli;

/** Why a push stopped before the end of its file. */
record PushStop(PushStatus status, String message) {
}
