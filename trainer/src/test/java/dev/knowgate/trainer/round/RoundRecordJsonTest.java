package dev.knowgate.trainer.round;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.knowgate.contracts.Category;
import dev.knowgate.contracts.LearnedCount;
import dev.knowgate.trainer.backend.RoundExample;
import dev.knowgate.trainer.backend.TrainingOutcome;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** GET /v1/rounds stays one flat object per round (docs/trainer.md), whatever the record's parts. */
class RoundRecordJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final Instant T = Instant.parse("2026-12-05T10:00:00Z");

    private static Set<String> fields(RoundRecord r) {
        JsonNode node = JSON.valueToTree(r);
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void eachStageAddsItsFieldsAtTheTopLevel() {
        RoundRecord started = RoundRecord.started("round-1", "knowgate-base@1",
                new RoundRecord.Source(3, Map.of("examples.accepted-0", 0L), Map.of("examples.accepted-0", 3L)), 0, T);
        assertThat(fields(started)).containsExactlyInAnyOrder("id", "status", "parent", "attempt", "startedAt",
                "examples", "startOffsets", "endOffsets");

        RoundExample e = new RoundExample("ex-1", "q", "a", "birthplace", Category.MAYBE_KNOWN, false);
        List<RoundExample> train = new ArrayList<>(List.of(e, e));
        RoundRecord planned = started.planned(new RoundPlan(train, List.of(e), Map.of(Category.MAYBE_KNOWN, 3),
                Map.of("unknown", 1)));
        RoundRecord trained = planned.trained(new TrainingOutcome(2, 0.25, 0.5, 0.75, false, 1000, 2.0));
        RoundRecord awaiting = trained.awaiting("knowgate-base@2", new RoundRecord.Knowledge(
                Map.of(Category.MAYBE_KNOWN, new LearnedCount(2, 2)), Map.of(Category.MAYBE_KNOWN, new LearnedCount(2, 2))));
        RoundRecord promoted = awaiting.decided(RoundStatus.PROMOTED, "promoted by gate", T.plusSeconds(60));
        assertThat(fields(promoted)).containsExactlyInAnyOrder("id", "status", "parent", "version", "attempt",
                "startedAt", "finishedAt", "examples", "startOffsets", "endOffsets", "examplesByCategory", "skipped",
                "train", "replayed", "dev", "epochs", "trainLoss", "devAccuracyBefore", "devAccuracy", "tokensPerSecond",
                "learned", "lineageLearned", "decision");

        JsonNode node = JSON.valueToTree(promoted);
        assertThat(node.get("train").asInt()).isEqualTo(2);
        assertThat(node.get("dev").asInt()).isEqualTo(1);
        assertThat(node.get("epochs").asInt()).isEqualTo(2);
        assertThat(node.get("tokensPerSecond").asDouble()).isEqualTo(500.0);
        assertThat(node.get("examplesByCategory").get("MaybeKnown").asInt()).isEqualTo(3);
        assertThat(node.get("finishedAt").asText()).isEqualTo("2026-12-05T10:01:00Z");
    }

    @Test
    void aFailedOrRecoveredRoundShowsWhatItHas() {
        RoundRecord failed = RoundRecord.started("round-2", "knowgate-base@2", new RoundRecord.Source(1, Map.of(), Map.of()),
                1, T).finished(RoundStatus.FAILED, null, "java.io.IOException: disk full", T);
        assertThat(fields(failed)).contains("error", "finishedAt").doesNotContain("train", "epochs", "learned");
        RoundRecord recovered = RoundRecord.recovered("round-3", "knowgate-base@3", 1, "published before a crash", T);
        assertThat(fields(recovered)).containsExactlyInAnyOrder("id", "status", "version", "attempt", "finishedAt",
                "examples", "decision");
    }
}
