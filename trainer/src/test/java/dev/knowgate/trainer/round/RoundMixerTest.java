package dev.knowgate.trainer.round;

import dev.knowgate.contracts.Category;
import dev.knowgate.trainer.backend.RoundExample;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.knowgate.contracts.Category.HIGHLY_KNOWN;
import static dev.knowgate.contracts.Category.MAYBE_KNOWN;
import static dev.knowgate.contracts.Category.UNKNOWN;
import static dev.knowgate.contracts.Category.WEAKLY_KNOWN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoundMixerTest {

    private static List<RoundExample> examples(Category category, int n, String prefix) {
        List<RoundExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new RoundExample(prefix + i, "q " + prefix + i, "a" + i, "birthplace", category, false));
        }
        return out;
    }

    private static RoundMixer mixer(Set<Category> categories, Map<Category, Double> caps, double replay, double dev) {
        return new RoundMixer(new MixPolicy(categories, caps, replay, dev));
    }

    @Test
    void releasedExamplesAreTrainedWhateverTheirCategoryUncappedAndNeverHeldOut() {
        List<RoundExample> in = new ArrayList<>(examples(HIGHLY_KNOWN, 18, "hk"));
        in.add(new RoundExample("rel-1", "q rel-1", "new fact", "birthplace", UNKNOWN, false, true));
        in.add(new RoundExample("rel-2", "q rel-2", "new fact", "birthplace", UNKNOWN, false, true));
        in.addAll(examples(UNKNOWN, 3, "uk"));
        RoundPlan plan = mixer(EnumSet.of(HIGHLY_KNOWN), Map.of(UNKNOWN, 0.0), 0, 0.5).plan(in, List.of(), "r");
        assertThat(plan.released()).containsExactly("rel-1", "rel-2");
        assertThat(plan.dev()).noneMatch(RoundExample::released).hasSize(9);
        assertThat(plan.byCategory()).containsEntry(UNKNOWN, 2).containsEntry(HIGHLY_KNOWN, 18);
        assertThat(plan.skipped()).containsEntry(RoundMixer.EXCLUDED, 3);
    }

    @Test
    void leavesOutCategoriesOutsideThePolicyAndCountsThem() {
        List<RoundExample> in = new ArrayList<>(examples(HIGHLY_KNOWN, 10, "hk"));
        in.addAll(examples(WEAKLY_KNOWN, 6, "wk"));
        in.addAll(examples(UNKNOWN, 4, "uk"));
        RoundPlan plan = mixer(EnumSet.of(HIGHLY_KNOWN, MAYBE_KNOWN), Map.of(), 0, 0).plan(in, List.of(), "r");
        assertThat(plan.train()).hasSize(10).allMatch(e -> e.category() == HIGHLY_KNOWN);
        assertThat(plan.skipped()).containsEntry(RoundMixer.EXCLUDED, 10);
        assertThat(plan.byCategory()).containsExactlyInAnyOrderEntriesOf(Map.of(HIGHLY_KNOWN, 10));
    }

    @Test
    void anExampleTheLineageWasTrainedOnIsNotTrainedAgainButReplayMayDrawIt() {
        List<RoundExample> earlier = examples(MAYBE_KNOWN, 10, "mk");
        List<RoundExample> in = new ArrayList<>(earlier.subList(0, 3)); // resent after a crash
        in.addAll(examples(MAYBE_KNOWN, 5, "new"));
        Set<String> trained = earlier.stream().map(RoundExample::id).collect(Collectors.toSet());

        RoundPlan plan = mixer(EnumSet.of(MAYBE_KNOWN), Map.of(), 0, 0).plan(in, List.of(), trained, "r");

        assertThat(plan.train()).extracting(RoundExample::id).containsExactly("new0", "new1", "new2", "new3", "new4");
        assertThat(plan.skipped()).containsEntry(RoundMixer.ALREADY_TRAINED, 3);
        RoundPlan replaying = mixer(EnumSet.of(MAYBE_KNOWN), Map.of(), 0.5, 0).plan(in, earlier, trained, "r");
        assertThat(replaying.train().stream().filter(RoundExample::replay)).isNotEmpty()
                .allMatch(e -> trained.contains(e.id()));
    }

    @Test
    void capsACategorysShareOfTheRoundKeepingTheEarliest() {
        List<RoundExample> in = new ArrayList<>(examples(HIGHLY_KNOWN, 40, "hk"));
        in.addAll(examples(WEAKLY_KNOWN, 60, "wk"));
        RoundPlan plan = mixer(EnumSet.of(HIGHLY_KNOWN, WEAKLY_KNOWN), Map.of(WEAKLY_KNOWN, 0.2), 0, 0)
                .plan(in, List.of(), "r");
        int total = plan.train().size();
        long weak = plan.train().stream().filter(e -> e.category() == WEAKLY_KNOWN).count();
        assertThat(weak).isLessThanOrEqualTo((long) Math.floor(0.2 * total)).isPositive();
        assertThat(plan.train().stream().filter(e -> e.category() == WEAKLY_KNOWN).map(RoundExample::id))
                .containsExactlyElementsOf(examples(WEAKLY_KNOWN, (int) weak, "wk").stream().map(RoundExample::id).toList());
        assertThat(plan.skipped()).containsEntry(RoundMixer.CAPPED, 60 - (int) weak);
    }

    @Test
    void theDevSplitIsTheSameWhateverTheArrivalOrder() {
        List<RoundExample> in = examples(MAYBE_KNOWN, 100, "mk");
        RoundMixer mixer = mixer(EnumSet.of(MAYBE_KNOWN), Map.of(), 0, 0.1);
        RoundPlan a = mixer.plan(in, List.of(), "r");
        List<RoundExample> shuffled = new ArrayList<>(in);
        Collections.shuffle(shuffled, new java.util.Random(3));
        RoundPlan b = mixer.plan(shuffled, List.of(), "r");
        assertThat(a.dev()).hasSize(10);
        assertThat(ids(a.dev())).isEqualTo(ids(b.dev()));
        assertThat(ids(a.train())).doesNotContainAnyElementsOf(ids(a.dev())).hasSize(90);
    }

    @Test
    void replaysTheConfiguredShareFromEarlierRoundsAndNeverANewExample() {
        List<RoundExample> in = examples(MAYBE_KNOWN, 90, "mk");
        List<RoundExample> earlier = new ArrayList<>(examples(HIGHLY_KNOWN, 50, "old"));
        earlier.add(in.get(0)); // already in this round: not replayed
        earlier.add(examples(HIGHLY_KNOWN, 1, "replayed-before").get(0).asReplay()); // a replay of a replay: not again
        RoundMixer mixer = mixer(EnumSet.of(MAYBE_KNOWN, HIGHLY_KNOWN), Map.of(), 0.25, 0);
        RoundPlan plan = mixer.plan(in, earlier, "round-7");
        assertThat(plan.replayed()).isEqualTo(30); // 0.25 / 0.75 * 90
        assertThat(plan.train().stream().filter(RoundExample::replay).map(RoundExample::id))
                .allMatch(id -> id.startsWith("old"));
        assertThat(ids(mixer.plan(in, earlier, "round-7").train())).isEqualTo(ids(plan.train()));
        assertThat(plan.byCategory()).containsExactlyInAnyOrderEntriesOf(Map.of(MAYBE_KNOWN, 90));
    }

    @Test
    void aDuplicateInOneRoundTrainsOnce() {
        List<RoundExample> in = new ArrayList<>(examples(HIGHLY_KNOWN, 5, "hk"));
        in.add(in.get(2));
        RoundPlan plan = mixer(EnumSet.of(HIGHLY_KNOWN), Map.of(), 0, 0).plan(in, List.of(), "r");
        assertThat(plan.train()).hasSize(5);
        assertThat(plan.skipped()).containsEntry(RoundMixer.DUPLICATE, 1);
    }

    @Test
    void configurationNamesAreCheckedAndAcceptBothSpellings() {
        MixPolicy p = MixPolicy.parse(List.of("HighlyKnown", "MAYBE_KNOWN"), Map.of("maybe_known", 0.5), 0.1, 0.1);
        assertThat(p.categories()).containsExactlyInAnyOrder(HIGHLY_KNOWN, MAYBE_KNOWN);
        assertThat(p.maxShare()).containsEntry(MAYBE_KNOWN, 0.5);
        assertThatThrownBy(() -> MixPolicy.parse(List.of("Known"), Map.of(), 0, 0)).hasMessageContaining("unknown SliCK category 'Known'");
        assertThatThrownBy(() -> MixPolicy.parse(List.of("UNKNOWN"), Map.of(), 0.95, 0)).hasMessageContaining("replay-share");
        assertThatThrownBy(() -> MixPolicy.parse(List.of(), Map.of(), 0, 0)).hasMessageContaining("at least one");
    }

    private static Set<String> ids(List<RoundExample> list) {
        return list.stream().map(RoundExample::id).collect(Collectors.toSet());
    }
}
