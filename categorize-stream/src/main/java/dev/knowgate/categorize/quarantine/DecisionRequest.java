package dev.knowgate.categorize.quarantine;

import java.util.List;

/**
 * The body of POST /v1/quarantine/{exampleId}/decisions: what a curator decides. Who decides and when
 * come from the key and the clock; the decision id is the client's (so that a retried request is one
 * decision) or made up.
 *
 * @param action       release, drop or amend
 * @param reason       why, required
 * @param answer       amend: the corrected gold answer
 * @param aliases      amend: aliases to add
 * @param decisionId   optional: names the decision; sent again, it is the same decision
 * @param verdictModel optional: the version (name@version) whose verdict the curator reviewed; refused
 *                     when another verdict is in force by now
 */
public record DecisionRequest(String action, String reason, String answer, List<String> aliases, String decisionId,
                              String verdictModel) {
}
