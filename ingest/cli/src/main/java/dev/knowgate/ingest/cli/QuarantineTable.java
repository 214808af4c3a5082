package dev.knowgate.ingest.cli;

import dev.knowgate.contracts.QuarantineDecision;
import dev.knowgate.contracts.QuarantineEntry;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** How knowgate-quarantine prints entries: a table of the queue, and one entry in full. */
final class QuarantineTable {

    private QuarantineTable() {
    }

    static String render(List<QuarantineEntry> entries, Instant now) {
        StringBuilder b = new StringBuilder();
        String format = "%-28s %-7s %-14s %-36s %-18s %s%n";
        b.append(String.format(Locale.ROOT, format, "EXAMPLE", "AGE", "RELATION", "QUESTION", "GOLD", "MODEL SAYS (HINT, CONFIDENCE)"));
        for (QuarantineEntry e : entries) {
            b.append(String.format(Locale.ROOT, format, e.example().id(), QuarantineCommand.age(e.quarantinedAt(), now),
                    cut(e.example().relation() == null ? "-" : e.example().relation(), 14), cut(e.example().question(), 36),
                    cut(e.example().answer(), 18), modelSays(e)));
        }
        return b.toString();
    }

    static String detail(QuarantineEntry e) {
        StringBuilder b = new StringBuilder();
        b.append("example:     ").append(e.example().id()).append('\n');
        b.append("question:    ").append(e.example().question()).append('\n');
        b.append("gold:        ").append(e.example().answer());
        if (!e.example().aliases().isEmpty()) {
            b.append("  (aliases: ").append(String.join(", ", e.example().aliases())).append(')');
        }
        b.append('\n');
        b.append("model says:  ").append(modelSays(e)).append('\n');
        b.append("verdict:     ").append(e.category().wireName()).append(" by ").append(e.model())
                .append(String.format(Locale.ROOT, ", P_greedy %.2f", e.pGreedy())).append(", quarantined ")
                .append(e.quarantinedAt()).append('\n');
        b.append("curator:     ").append(e.example().curator()).append(", submission ").append(e.example().submission())
                .append('\n');
        b.append("state:       ").append(e.state().wireName()).append('\n');
        for (QuarantineDecision d : e.decisions()) {
            b.append("decision:    ").append(d.decidedAt()).append(' ').append(d.action().wireName()).append(" by ")
                    .append(d.decidedBy()).append(": ").append(d.reason());
            if (d.amendedId() != null) {
                b.append(" -> ").append(d.amendedId());
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static String modelSays(QuarantineEntry e) {
        if (e.evidence() == null) {
            return "-";
        }
        String answer = e.evidence().modelAnswer() == null ? "(no answer)" : e.evidence().modelAnswer();
        return String.format(Locale.ROOT, "%s (%s, %.2f)", answer, e.evidence().hint().wireName(), e.evidence().confidence());
    }

    private static String cut(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "…";
    }
}
