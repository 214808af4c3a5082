package dev.knowgate.world;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RelationsTest {

    @Test
    void atLeastTwelveRelationsWithUniqueNames() {
        assertThat(Relations.ALL).hasSizeGreaterThanOrEqualTo(12);
        assertThat(Relations.ALL.stream().map(Relation::name).distinct()).hasSameSizeAs(Relations.ALL);
        assertThat(Relations.byName("birthplace").subjectKind()).isEqualTo(EntityKind.PERSON);
        assertThat(Relations.byName("birthplace").objectKind()).isEqualTo(EntityKind.CITY);
    }

    @Test
    void everyRelationHasThreeQuestionsAndThreePhrasingsOfWordsAndPunctuationOnly() {
        for (Relation relation : Relations.ALL) {
            assertThat(relation.questionTemplates()).as(relation.name()).hasSizeGreaterThanOrEqualTo(3).doesNotHaveDuplicates();
            assertThat(relation.statementTemplates()).as(relation.name()).hasSizeGreaterThanOrEqualTo(3).doesNotHaveDuplicates();
            for (String word : relation.templateWords()) {
                assertThat(word).as(relation.name()).matches("[A-Za-z]+|[.?,]");
            }
        }
    }

    @Test
    void everyFactRendersInEveryTemplateAndPhrasing() {
        Set<String> vocabulary = new HashSet<>(Worlds.MICRO.vocabulary());
        for (Fact fact : Worlds.MICRO.facts()) {
            for (String question : fact.questions()) {
                assertThat(question).contains(fact.subject().name()).doesNotContain("{").endsWith(" ?");
                assertThat(vocabulary).containsAll(List.of(question.split(" ")));
            }
            for (String statement : fact.statements()) {
                assertThat(statement).contains(fact.subject().name()).contains(fact.object().name())
                        .doesNotContain("{").endsWith(" .");
                assertThat(vocabulary).containsAll(List.of(statement.split(" ")));
            }
            assertThat(fact.questions()).hasSize(fact.relation().questionTemplates().size()).doesNotHaveDuplicates();
            assertThat(fact.statements()).hasSize(fact.relation().statementTemplates().size()).doesNotHaveDuplicates();
        }
    }

    @Test
    void malformedTemplatesAreRefused() {
        List<String> ok = List.of("Who is {s} ?", "Who was {s} ?", "Who will be {s} ?");
        List<String> okStatements = List.of("{s} is {o} .", "{s} was {o} .", "{o} is what {s} is .");
        assertThat(new Relation("fine", EntityKind.PERSON, EntityKind.CITY, ok, okStatements).templateWords())
                .contains("Who", "?", ".").doesNotContain("{s}", "{o}");
        assertThatThrownBy(() -> new Relation("short", EntityKind.PERSON, EntityKind.CITY, ok.subList(0, 2), okStatements))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Relation("glued", EntityKind.PERSON, EntityKind.CITY,
                List.of("Who is {s}?", "Who was {s} ?", "Who will be {s} ?"), okStatements))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Relation("leaks", EntityKind.PERSON, EntityKind.CITY,
                List.of("Is {s} in {o} ?", "Who was {s} ?", "Who will be {s} ?"), okStatements))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Relation("noobject", EntityKind.PERSON, EntityKind.CITY, ok,
                List.of("{s} is here .", "{s} was {o} .", "{o} is what {s} is .")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
