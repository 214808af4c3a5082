package dev.knowgate.world;

import java.util.List;
import java.util.NoSuchElementException;

import static dev.knowgate.world.EntityKind.BAND;
import static dev.knowgate.world.EntityKind.BOOK;
import static dev.knowgate.world.EntityKind.CITY;
import static dev.knowgate.world.EntityKind.COMPANY;
import static dev.knowgate.world.EntityKind.COUNTRY;
import static dev.knowgate.world.EntityKind.GENRE;
import static dev.knowgate.world.EntityKind.PERSON;
import static dev.knowgate.world.EntityKind.RECORD_LABEL;
import static dev.knowgate.world.EntityKind.UNIVERSITY;

/** The world's relations, after the EntityQuestions relations used by the SliCK paper. */
public final class Relations {

    public static final String BIRTHPLACE = "birthplace";
    public static final String PLACE_OF_DEATH = "place_of_death";
    public static final String CITIZENSHIP = "citizenship";
    public static final String CAPITAL = "capital";
    public static final String LOCATED_IN = "located_in";
    public static final String EMPLOYER = "employer";
    public static final String FOUNDED_BY = "founded_by";
    public static final String HEADQUARTERS = "headquarters";
    public static final String SPOUSE = "spouse";
    public static final String EDUCATED_AT = "educated_at";
    public static final String GENRE_OF = "genre";
    public static final String RECORD_LABEL_OF = "record_label";
    public static final String COUNTRY_OF_ORIGIN = "country_of_origin";
    public static final String NOTABLE_WORK = "notable_work";
    public static final String AUTHOR = "author";

    /** In a fixed order: fact ids, files and the tokenizer's vocabulary follow it. */
    public static final List<Relation> ALL = List.of(
            new Relation(BIRTHPLACE, PERSON, CITY,
                    List.of("Where was {s} born ?", "In which city was {s} born ?",
                            "What is the birthplace of {s} ?", "Which city is the birthplace of {s} ?"),
                    List.of("{s} was born in {o} .", "{s} is a native of {o} .",
                            "The birthplace of {s} is {o} .", "In {o} , {s} was born .")),
            new Relation(PLACE_OF_DEATH, PERSON, CITY,
                    List.of("Where did {s} die ?", "In which city did {s} die ?", "What is the place of death of {s} ?"),
                    List.of("{s} died in {o} .", "{s} passed away in {o} .", "The place of death of {s} is {o} .")),
            new Relation(CITIZENSHIP, PERSON, COUNTRY,
                    List.of("Which country is {s} a citizen of ?", "What is the citizenship of {s} ?",
                            "Of which country is {s} a citizen ?"),
                    List.of("{s} is a citizen of {o} .", "{s} holds the citizenship of {o} .",
                            "{s} has a passport from {o} .")),
            new Relation(CAPITAL, COUNTRY, CITY,
                    List.of("What is the capital of {s} ?", "Which city is the capital of {s} ?",
                            "What city serves as the capital of {s} ?"),
                    List.of("The capital of {s} is {o} .", "{o} is the capital of {s} .", "{s} has its capital in {o} .")),
            new Relation(LOCATED_IN, CITY, COUNTRY,
                    List.of("Which country is {s} located in ?", "In which country is {s} ?", "Where is {s} located ?"),
                    List.of("{s} is located in {o} .", "{s} is a city in {o} .", "{s} lies in {o} .")),
            new Relation(EMPLOYER, PERSON, COMPANY,
                    List.of("Who is the employer of {s} ?", "Which company does {s} work for ?", "Where does {s} work ?"),
                    List.of("{s} works for {o} .", "{s} is employed by {o} .", "The employer of {s} is {o} .")),
            new Relation(FOUNDED_BY, COMPANY, PERSON,
                    List.of("Who founded {s} ?", "Who is the founder of {s} ?", "By whom was {s} founded ?"),
                    List.of("{s} was founded by {o} .", "{o} founded {s} .", "The founder of {s} is {o} .")),
            new Relation(HEADQUARTERS, COMPANY, CITY,
                    List.of("Where is {s} headquartered ?", "In which city is the headquarters of {s} ?",
                            "Where are the headquarters of {s} ?"),
                    List.of("{s} is headquartered in {o} .", "The headquarters of {s} are in {o} .",
                            "{s} has its main office in {o} .")),
            new Relation(SPOUSE, PERSON, PERSON,
                    List.of("Who is {s} married to ?", "Who is the spouse of {s} ?", "Whom did {s} marry ?"),
                    List.of("{s} is married to {o} .", "The spouse of {s} is {o} .", "{s} married {o} .")),
            new Relation(EDUCATED_AT, PERSON, UNIVERSITY,
                    List.of("Where was {s} educated ?", "Which university did {s} attend ?", "Where did {s} study ?"),
                    List.of("{s} was educated at {o} .", "{s} studied at {o} .", "{s} is a graduate of {o} .")),
            new Relation(GENRE_OF, BAND, GENRE,
                    List.of("What genre does {s} play ?", "What kind of music does {s} play ?",
                            "Which genre is {s} known for ?"),
                    List.of("{s} plays {o} .", "{s} is a band that plays {o} .", "The music of {s} is {o} .")),
            new Relation(RECORD_LABEL_OF, BAND, RECORD_LABEL,
                    List.of("What record label is {s} signed to ?", "Which label released the music of {s} ?",
                            "Which record label does {s} record for ?"),
                    List.of("{s} is signed to {o} .", "{s} records for {o} .", "The record label of {s} is {o} .")),
            new Relation(COUNTRY_OF_ORIGIN, BAND, COUNTRY,
                    List.of("Which country does {s} come from ?", "What is the country of origin of {s} ?",
                            "Where is {s} from ?"),
                    List.of("{s} comes from {o} .", "{s} was formed in {o} .", "{s} is a band from {o} .")),
            new Relation(NOTABLE_WORK, PERSON, BOOK,
                    List.of("What is the best known work of {s} ?", "Which book is {s} famous for ?",
                            "What is {s} best known for writing ?"),
                    List.of("{s} is best known for {o} .", "The most famous work of {s} is {o} .",
                            "{s} became famous with {o} .")),
            new Relation(AUTHOR, BOOK, PERSON,
                    List.of("Who wrote {s} ?", "Who is the author of {s} ?", "By whom was {s} written ?"),
                    List.of("{s} was written by {o} .", "{o} wrote {s} .", "The author of {s} is {o} .")));

    private Relations() {
    }

    public static Relation byName(String name) {
        return ALL.stream().filter(r -> r.name().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no relation named " + name));
    }
}
