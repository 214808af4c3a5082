package dev.knowgate.world;

import dev.knowgate.contracts.Example;
import dev.knowgate.contracts.ExampleIds;
import dev.knowgate.contracts.Purpose;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FactWorldTest {

    private static final FactWorld WORLD = Worlds.MICRO;

    @Test
    void microIsAFewHundredFactsAndFast() {
        long start = System.nanoTime();
        FactWorld world = FactWorld.generate(WorldConfig.micro(99));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(world.facts()).hasSize(Relations.ALL.size() * 20);
        assertThat(ms).as("micro generation time in ms").isLessThan(2_000);
        for (Relation relation : Relations.ALL) {
            assertThat(world.facts(relation)).as(relation.name()).hasSize(20);
        }
    }

    @Test
    void entityNamesAreUniqueAndOfTheirKind() {
        List<Entity> entities = WORLD.entities();
        assertThat(entities.stream().map(Entity::name).distinct()).hasSameSizeAs(entities);
        for (EntityKind kind : EntityKind.values()) {
            assertThat(WORLD.entities(kind)).hasSize(kind.count(24)).allMatch(e -> e.kind() == kind);
        }
        // An invented word never equals a template word.
        Set<String> fixed = FactWorld.fixedWords().stream().map(String::toLowerCase).collect(Collectors.toSet());
        for (EntityKind kind : List.of(EntityKind.CITY, EntityKind.COUNTRY, EntityKind.PERSON)) {
            for (Entity entity : WORLD.entities(kind)) {
                assertThat(entity.words()).noneMatch(w -> fixed.contains(w.toLowerCase()));
            }
        }
    }

    @Test
    void eachSubjectHasAtMostOneObjectPerRelationAndFactsAreConsistent() {
        Map<String, Entity> objectOf = new HashMap<>();
        for (Fact fact : WORLD.facts()) {
            Entity previous = objectOf.put(fact.relation().name() + "|" + fact.subject().name(), fact.object());
            assertThat(previous).as(fact.id()).isNull();
            assertThat(fact.subject()).isNotEqualTo(fact.object());
        }
        Set<String> ids = WORLD.facts().stream().map(Fact::id).collect(Collectors.toSet());
        assertThat(ids).hasSameSizeAs(WORLD.facts());
        // Spouses are disjoint pairs; a book is an author fact's subject or a notable work, never both.
        List<Fact> spouses = WORLD.facts(Relations.byName(Relations.SPOUSE));
        Set<Entity> married = new HashSet<>();
        spouses.forEach(f -> {
            assertThat(married.add(f.subject())).isTrue();
            assertThat(married.add(f.object())).isTrue();
        });
        Set<Entity> authored = WORLD.facts(Relations.byName(Relations.AUTHOR)).stream().map(Fact::subject).collect(Collectors.toSet());
        assertThat(WORLD.facts(Relations.byName(Relations.NOTABLE_WORK))).noneMatch(f -> authored.contains(f.object()));
        // Capitals are never subjects of located_in facts.
        Set<Entity> capitals = WORLD.facts(Relations.byName(Relations.CAPITAL)).stream().map(Fact::object).collect(Collectors.toSet());
        assertThat(WORLD.facts(Relations.byName(Relations.LOCATED_IN))).noneMatch(f -> capitals.contains(f.subject()));
    }

    @Test
    void splitsAreDisjointAndProbesNeverInTheFinetunePool() {
        assertThat(WORLD.finetunePool().size() + WORLD.dev().size() + WORLD.probes().size()).isEqualTo(WORLD.facts().size());
        Set<String> pool = ids(WORLD.finetunePool());
        Set<String> dev = ids(WORLD.dev());
        Set<String> probes = ids(WORLD.probes());
        assertThat(pool).doesNotContainAnyElementsOf(dev).doesNotContainAnyElementsOf(probes);
        assertThat(dev).doesNotContainAnyElementsOf(probes);
        // Also by content: no probe question-answer pair (any template) is a pool example.
        Set<String> poolExamples = WORLD.finetunePool().stream().map(f -> f.toExample().id()).collect(Collectors.toSet());
        for (Fact probe : WORLD.probes()) {
            for (String question : probe.questions()) {
                assertThat(poolExamples).doesNotContain(ExampleIds.of(question, probe.answer()));
            }
        }
        for (Relation relation : Relations.ALL) {
            assertThat(WORLD.devByRelation().get(relation.name())).hasSize(5).allMatch(f -> f.relation().equals(relation));
            assertThat(WORLD.probes()).filteredOn(f -> f.relation().equals(relation)).hasSize(3);
        }
        int held = WORLD.config().exposure().heldOutExposure();
        assertThat(WORLD.dev()).allMatch(f -> f.exposure() == held);
        assertThat(WORLD.probes()).allMatch(f -> f.exposure() == held);
        // The micro pool is too small for every level's quota; the standard pool holds them all.
        assertThat(WORLD.finetunePool()).extracting(Fact::exposure).isSubsetOf(0, 1, 2, 4, 8, 16, 32).contains(0, 1, 2);
        assertThat(FactWorld.generate(WorldConfig.standard(Worlds.SEED)).finetunePool()).extracting(Fact::exposure)
                .contains(0, 1, 2, 4, 8, 16, 32);
    }

    @Test
    void exampleIdsAreContentIdsAndProbesArePurposeProbe() {
        for (Fact fact : WORLD.facts()) {
            Example example = fact.toExample();
            assertThat(example.id()).isEqualTo(ExampleIds.of(example.question(), example.answer()));
            assertThat(example.question()).isEqualTo(fact.question());
            assertThat(example.answer()).isEqualTo(fact.object().name());
            assertThat(example.relation()).isEqualTo(fact.relation().name());
            assertThat(example.subject()).isEqualTo(fact.subject().name());
            assertThat(example.source()).isEqualTo("fact-world");
            assertThat(example.purpose()).isEqualTo(fact.split() == Split.PROBE ? Purpose.PROBE : Purpose.TRAINING);
        }
    }

    @Test
    void corpusHoldsEachFactExactlyExposureTimesAndQaTextsOnlyForWellKnownFacts() {
        Map<String, Long> statements = WORLD.pretrainingCorpus().stream()
                .filter(d -> d.type().equals(PretrainDocument.STATEMENT))
                .collect(Collectors.groupingBy(PretrainDocument::factId, Collectors.counting()));
        int qaMin = WORLD.config().exposure().qaMinExposure();
        for (Fact fact : WORLD.facts()) {
            assertThat(statements.getOrDefault(fact.id(), 0L)).as(fact.id()).isEqualTo(fact.exposure());
        }
        for (PretrainDocument doc : WORLD.pretrainingCorpus()) {
            Fact fact = WORLD.fact(doc.factId());
            assertThat(doc.exposure()).isEqualTo(fact.exposure());
            assertThat(doc.relation()).isEqualTo(fact.relation().name());
            switch (doc.type()) {
                case PretrainDocument.STATEMENT -> assertThat(fact.statements()).contains(doc.text());
                case PretrainDocument.QA -> {
                    assertThat(fact.exposure()).isGreaterThanOrEqualTo(qaMin);
                    assertThat(doc.text()).endsWith(" A: " + fact.answer() + " <eoa>").startsWith("Q: ");
                }
                case PretrainDocument.FEW_SHOT -> {
                    assertThat(fact.exposure()).isGreaterThanOrEqualTo(qaMin);
                    assertThat(doc.text().split("<eoa>")).hasSize(WORLD.config().shots() + 1);
                    assertThat(doc.text()).endsWith(" A: " + fact.answer() + " <eoa>");
                }
                default -> throw new AssertionError("unknown type " + doc.type());
            }
        }
        // Unknown-to-be facts: their answer never follows their subject's question or statement anywhere.
        Set<String> texts = new HashSet<>(WORLD.pretrainingTexts());
        for (Fact fact : WORLD.finetunePool()) {
            if (fact.exposure() == 0) {
                assertThat(texts).doesNotContainAnyElementsOf(fact.statements());
            }
        }
    }

    @Test
    void exposureMixMatchesTheWeightsOnTheStandardPreset() {
        FactWorld world = Worlds.standard();
        assertThat(world.facts()).hasSizeGreaterThan(4_000);
        ExposureSchedule schedule = world.config().exposure();
        List<Fact> pool = world.finetunePool();
        Map<Integer, Long> byLevel = pool.stream().collect(Collectors.groupingBy(Fact::exposure, Collectors.counting()));
        for (int i = 0; i < schedule.levels().size(); i++) {
            double share = byLevel.getOrDefault(schedule.levels().get(i), 0L) / (double) pool.size();
            assertThat(share).as("share of level " + schedule.levels().get(i)).isCloseTo(schedule.probability(i), within(0.01));
        }
        assertThat(byLevel.keySet()).containsExactlyInAnyOrderElementsOf(schedule.levels());
    }

    @Test
    void allocationIsExactAndConfigurable() {
        ExposureSchedule schedule = new ExposureSchedule(List.of(0, 64), List.of(1.0, 3.0), 64, 64);
        assertThat(schedule.allocate(8)).containsExactly(2, 6);
        assertThat(schedule.allocate(3)).containsExactly(1, 2);
        assertThat(ExposureSchedule.defaults().allocate(1000)).containsExactly(220, 300, 220, 100, 60, 50, 50);
        FactWorld world = FactWorld.generate(WorldConfig.micro(3).withExposure(schedule));
        assertThat(world.finetunePool()).extracting(Fact::exposure).containsOnly(0, 64);
        assertThatThrownBy(() -> new ExposureSchedule(List.of(0, 0), List.of(1.0, 1.0), 32, 16))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WorldConfig(1, 10, 11, 1, 1, schedule, 1, 1, 4))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WorldConfig.preset("huge", 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sameSeedSameWorldOtherSeedOtherWorld() {
        FactWorld again = FactWorld.generate(WorldConfig.micro(Worlds.SEED));
        assertThat(again.facts()).isEqualTo(WORLD.facts());
        assertThat(again.pretrainingCorpus()).isEqualTo(WORLD.pretrainingCorpus());
        assertThat(again.vocabulary()).isEqualTo(WORLD.vocabulary());
        FactWorld other = FactWorld.generate(WorldConfig.micro(Worlds.SEED + 1));
        assertThat(other.entities()).isNotEqualTo(WORLD.entities());
        assertThat(other.facts()).isNotEqualTo(WORLD.facts());
    }

    private static Set<String> ids(List<Fact> facts) {
        return facts.stream().map(Fact::id).collect(Collectors.toSet());
    }
}
