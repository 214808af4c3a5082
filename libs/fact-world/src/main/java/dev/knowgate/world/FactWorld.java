package dev.knowgate.world;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A synthetic world of invented entities and facts, deterministic from {@link WorldConfig#seed()}.
 *
 * <p>Every subject has at most one object per relation, and the world is free of contradictions:
 * a country's capital lies in it (located_in facts are about the other cities, so neither fact
 * gives the other away), spouses are disjoint pairs, a book is somebody's notable work or has an
 * author fact, never both.
 *
 * <p>Entry points: {@link #generate}, the splits {@link #finetunePool()}, {@link #dev()},
 * {@link #probes()}, the corpus {@link #pretrainingCorpus()} / {@link #pretrainingTexts()} and
 * the {@link #vocabulary()} for {@link WorldTokenizer}.
 */
public final class FactWorld {

    private final WorldConfig config;
    private final Map<EntityKind, List<Entity>> entities;
    private final List<Fact> facts;
    private final List<PretrainDocument> corpus;
    private final List<String> vocabulary;
    private final Map<String, Fact> byId = new HashMap<>();

    private FactWorld(WorldConfig config, Map<EntityKind, List<Entity>> entities, List<Fact> facts,
                      List<PretrainDocument> corpus, List<String> vocabulary) {
        this.config = config;
        this.entities = entities;
        this.facts = facts;
        this.corpus = corpus;
        this.vocabulary = vocabulary;
        facts.forEach(f -> byId.put(f.id(), f));
    }

    /** The world of {@code config}; the same config always gives the same world. */
    public static FactWorld generate(WorldConfig config) {
        return new Generator(config).generate();
    }

    public WorldConfig config() {
        return config;
    }

    public List<Relation> relations() {
        return Relations.ALL;
    }

    /** Every entity, by kind in {@link EntityKind} order, in generation order within a kind. */
    public List<Entity> entities() {
        return entities.values().stream().flatMap(List::stream).toList();
    }

    public List<Entity> entities(EntityKind kind) {
        return entities.get(kind);
    }

    /** Every fact, ordered by relation (as in {@link Relations#ALL}) and id. */
    public List<Fact> facts() {
        return facts;
    }

    public List<Fact> facts(Split split) {
        return facts.stream().filter(f -> f.split() == split).toList();
    }

    public List<Fact> facts(Relation relation) {
        return facts.stream().filter(f -> f.relation().equals(relation)).toList();
    }

    public Fact fact(String id) {
        Fact fact = byId.get(id);
        if (fact == null) {
            throw new NoSuchElementException("no fact " + id);
        }
        return fact;
    }

    /** The fine-tuning pool (the demo's example stream), all exposure levels, in fact order. */
    public List<Fact> finetunePool() {
        return facts(Split.FINETUNE);
    }

    /** Few-shot exemplar facts (SliCK's exemplar pool), well known. */
    public List<Fact> dev() {
        return facts(Split.DEV);
    }

    /** Exemplar facts grouped by relation name, in {@link Relations#ALL} order. */
    public Map<String, List<Fact>> devByRelation() {
        Map<String, List<Fact>> byRelation = new LinkedHashMap<>();
        for (Relation relation : Relations.ALL) {
            byRelation.put(relation.name(), new ArrayList<>());
        }
        dev().forEach(f -> byRelation.get(f.relation().name()).add(f));
        byRelation.replaceAll((k, v) -> List.copyOf(v));
        return Collections.unmodifiableMap(byRelation);
    }

    /** Held-out probe facts, well known, never in the fine-tuning pool. */
    public List<Fact> probes() {
        return facts(Split.PROBE);
    }

    /** The pre-training documents, already shuffled (deterministically). */
    public List<PretrainDocument> pretrainingCorpus() {
        return corpus;
    }

    /** The pre-training texts, in corpus order. */
    public List<String> pretrainingTexts() {
        return corpus.stream().map(PretrainDocument::text).toList();
    }

    /**
     * Every word any world text can hold, without the special tokens: the QA markers,
     * punctuation, every template word and every name word. Fixed order: markers and
     * punctuation, then template words sorted, then the remaining name words sorted.
     */
    public List<String> vocabulary() {
        return vocabulary;
    }

    /** Shuffles {@code list} in place (Fisher-Yates). */
    static <T> void shuffle(List<T> list, SplittableRandom random) {
        for (int i = list.size() - 1; i > 0; i--) {
            Collections.swap(list, i, random.nextInt(i + 1));
        }
    }

    /** Fixed words: QA markers and punctuation, then every template word. */
    static Set<String> fixedWords() {
        Set<String> words = new LinkedHashSet<>(List.of(QaFormat.QUESTION_MARKER, QaFormat.ANSWER_MARKER, ".", "?", ","));
        TreeSet<String> templateWords = new TreeSet<>();
        Relations.ALL.forEach(r -> templateWords.addAll(r.templateWords()));
        words.addAll(templateWords);
        return words;
    }

    private static final class Generator {
        private final WorldConfig config;
        private final SplittableRandom root;
        private final Map<EntityKind, List<Entity>> entities = new EnumMap<>(EntityKind.class);

        Generator(WorldConfig config) {
            this.config = config;
            this.root = new SplittableRandom(config.seed());
        }

        FactWorld generate() {
            // One independent stream per phase, split in a fixed order.
            SplittableRandom names = root.split();
            SplittableRandom structure = root.split();
            SplittableRandom splits = root.split();
            SplittableRandom texts = root.split();
            SplittableRandom order = root.split();

            NameGenerator generator = new NameGenerator(names, fixedWords());
            for (EntityKind kind : EntityKind.values()) {
                entities.put(kind, generator.names(kind, kind.count(config.entitiesPerKind())).stream()
                        .map(name -> new Entity(kind, name)).toList());
            }
            List<Fact> facts = new ArrayList<>();
            Map<Relation, List<Entity[]>> pairs = pairs(structure);
            for (Relation relation : Relations.ALL) {
                facts.addAll(assign(relation, pairs.get(relation), splits));
            }
            List<PretrainDocument> corpus = corpus(facts, texts);
            shuffle(corpus, order);
            return new FactWorld(config, Collections.unmodifiableMap(entities), List.copyOf(facts),
                    List.copyOf(corpus), vocabulary());
        }

        /** (subject, object) pairs per relation, consistent across relations. */
        private Map<Relation, List<Entity[]>> pairs(SplittableRandom random) {
            int n = config.factsPerRelation();
            // Ground truth for places: each country has one capital; the other cities lie in a random country.
            List<Entity> countries = entities.get(EntityKind.COUNTRY);
            List<Entity> cities = shuffled(entities.get(EntityKind.CITY), random);
            Map<Entity, Entity> capitalOf = new LinkedHashMap<>();
            for (int i = 0; i < countries.size(); i++) {
                capitalOf.put(countries.get(i), cities.get(i));
            }
            List<Entity> otherCities = List.copyOf(cities.subList(countries.size(), cities.size()));
            // Books: one half has author facts, the other half are people's notable works.
            List<Entity> books = shuffled(entities.get(EntityKind.BOOK), random);
            List<Entity> authoredBooks = books.subList(0, books.size() / 2);
            List<Entity> notableBooks = books.subList(books.size() / 2, books.size());

            Map<Relation, List<Entity[]>> pairs = new LinkedHashMap<>();
            for (Relation relation : Relations.ALL) {
                List<Entity[]> list = new ArrayList<>();
                switch (relation.name()) {
                    case Relations.CAPITAL -> {
                        for (Entity country : take(shuffled(countries, random), n)) {
                            list.add(new Entity[]{country, capitalOf.get(country)});
                        }
                    }
                    case Relations.LOCATED_IN -> {
                        for (Entity city : take(shuffled(otherCities, random), n)) {
                            list.add(new Entity[]{city, countries.get(random.nextInt(countries.size()))});
                        }
                    }
                    case Relations.SPOUSE -> {
                        List<Entity> people = shuffled(entities.get(EntityKind.PERSON), random);
                        for (int i = 0; i + 1 < people.size() && list.size() < n; i += 2) {
                            list.add(new Entity[]{people.get(i), people.get(i + 1)});
                        }
                    }
                    case Relations.AUTHOR -> {
                        List<Entity> people = entities.get(EntityKind.PERSON);
                        for (Entity book : take(shuffled(authoredBooks, random), n)) {
                            list.add(new Entity[]{book, people.get(random.nextInt(people.size()))});
                        }
                    }
                    case Relations.NOTABLE_WORK -> {
                        List<Entity> people = take(shuffled(entities.get(EntityKind.PERSON), random), n);
                        List<Entity> works = shuffled(notableBooks, random);
                        for (int i = 0; i < people.size() && i < works.size(); i++) {
                            list.add(new Entity[]{people.get(i), works.get(i)});
                        }
                    }
                    default -> {
                        List<Entity> objects = entities.get(relation.objectKind());
                        for (Entity subject : take(shuffled(entities.get(relation.subjectKind()), random), n)) {
                            list.add(new Entity[]{subject, objects.get(random.nextInt(objects.size()))});
                        }
                    }
                }
                pairs.put(relation, list);
            }
            return pairs;
        }

        /** Splits a relation's facts into dev, probe and pool, and gives each its exposure. */
        private List<Fact> assign(Relation relation, List<Entity[]> pairs, SplittableRandom random) {
            ExposureSchedule schedule = config.exposure();
            int dev = Math.min(config.devPerRelation(), pairs.size());
            int probes = Math.min(config.probesPerRelation(), pairs.size() - dev);
            int pool = pairs.size() - dev - probes;
            int[] counts = schedule.allocate(pool);
            List<Integer> exposures = new ArrayList<>(pool);
            for (int level = 0; level < counts.length; level++) {
                exposures.addAll(Collections.nCopies(counts[level], schedule.levels().get(level)));
            }
            shuffle(exposures, random);
            // The pairs are already in random order: the first ones become exemplars, then probes.
            List<Fact> facts = new ArrayList<>();
            for (int i = 0; i < pairs.size(); i++) {
                Split split = i < dev ? Split.DEV : i < dev + probes ? Split.PROBE : Split.FINETUNE;
                int exposure = split == Split.FINETUNE ? exposures.get(i - dev - probes) : schedule.heldOutExposure();
                facts.add(new Fact(String.format("%s-%04d", relation.name(), i), relation, pairs.get(i)[0], pairs.get(i)[1],
                        split, exposure, random.nextInt(relation.questionTemplates().size()),
                        random.nextInt(relation.statementTemplates().size())));
            }
            return facts;
        }

        private List<PretrainDocument> corpus(List<Fact> facts, SplittableRandom random) {
            Map<Relation, List<Fact>> exemplars = new HashMap<>();
            for (Fact fact : facts) {
                if (fact.split() == Split.DEV) {
                    exemplars.computeIfAbsent(fact.relation(), r -> new ArrayList<>()).add(fact);
                }
            }
            List<PretrainDocument> docs = new ArrayList<>();
            int qaMin = config.exposure().qaMinExposure();
            for (Fact fact : facts) {
                String relation = fact.relation().name();
                int phrasings = fact.relation().statementTemplates().size();
                for (int i = 0; i < fact.exposure(); i++) {
                    docs.add(new PretrainDocument(fact.statement((fact.phrasingOffset() + i) % phrasings),
                            PretrainDocument.STATEMENT, fact.id(), relation, fact.exposure()));
                }
                if (fact.exposure() < qaMin) {
                    continue;
                }
                int questions = fact.relation().questionTemplates().size();
                for (int j = 0; j < config.qaTextsPerFact(); j++) {
                    docs.add(new PretrainDocument(QaFormat.qa(fact.question((fact.questionTemplate() + j) % questions), fact.answer()),
                            PretrainDocument.QA, fact.id(), relation, fact.exposure()));
                }
                for (int j = 0; j < config.fewShotTextsPerFact(); j++) {
                    List<Fact> candidates = new ArrayList<>(exemplars.getOrDefault(fact.relation(), List.of()));
                    candidates.remove(fact);
                    shuffle(candidates, random);
                    List<QaFormat.QaPair> shots = candidates.subList(0, Math.min(config.shots(), candidates.size())).stream()
                            .map(e -> new QaFormat.QaPair(e.question(random.nextInt(questions)), e.answer())).toList();
                    docs.add(new PretrainDocument(QaFormat.fewShotText(shots, fact.question(random.nextInt(questions)), fact.answer()),
                            PretrainDocument.FEW_SHOT, fact.id(), relation, fact.exposure()));
                }
            }
            return docs;
        }

        private List<String> vocabulary() {
            Set<String> words = fixedWords();
            TreeSet<String> nameWords = new TreeSet<>();
            entities.values().forEach(list -> list.forEach(e -> nameWords.addAll(e.words())));
            words.addAll(nameWords);
            return List.copyOf(words);
        }

        private static List<Entity> shuffled(List<Entity> list, SplittableRandom random) {
            List<Entity> copy = new ArrayList<>(list);
            shuffle(copy, random);
            return copy;
        }

        private static List<Entity> take(List<Entity> list, int n) {
            return list.subList(0, Math.min(n, list.size()));
        }
    }
}
