package dev.knowgate.world;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An EntityQuestions-style relation: a subject kind, an object kind, the questions that ask for
 * the object and the statements that assert the fact. Templates are space-separated words;
 * {@value #SUBJECT} and {@value #OBJECT} stand alone as words, punctuation (" ." " ?" " ,") is
 * a word of its own.
 *
 * @param name               wire name, the Example's {@code relation} ("birthplace")
 * @param subjectKind        kind of the subject
 * @param objectKind         kind of the object (the answer)
 * @param questionTemplates  at least 3, each with {@value #SUBJECT}, without {@value #OBJECT}, ending in " ?"
 * @param statementTemplates at least 3, each with both placeholders, ending in " ."
 */
public record Relation(String name, EntityKind subjectKind, EntityKind objectKind,
                       List<String> questionTemplates, List<String> statementTemplates) {

    public static final String SUBJECT = "{s}";
    public static final String OBJECT = "{o}";
    public static final int MIN_TEMPLATES = 3;

    /** Words a template may hold: letters, one punctuation token, or a placeholder. */
    private static final Pattern WORD = Pattern.compile("[A-Za-z]+|[.?,]|\\{s}|\\{o}");
    private static final Pattern NAME = Pattern.compile("[a-z]+(_[a-z]+)*");

    public Relation {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("relation name must be lower snake case: " + name);
        }
        Objects.requireNonNull(subjectKind, "subjectKind");
        Objects.requireNonNull(objectKind, "objectKind");
        questionTemplates = List.copyOf(questionTemplates);
        statementTemplates = List.copyOf(statementTemplates);
        if (questionTemplates.size() < MIN_TEMPLATES || statementTemplates.size() < MIN_TEMPLATES) {
            throw new IllegalArgumentException(name + ": needs at least " + MIN_TEMPLATES + " questions and statements");
        }
        for (String q : questionTemplates) {
            List<String> words = checkWords(name, q);
            if (count(words, SUBJECT) != 1 || count(words, OBJECT) != 0 || !q.endsWith(" ?")) {
                throw new IllegalArgumentException(name + ": a question names the subject once, never the object, and ends with ' ?': " + q);
            }
        }
        for (String s : statementTemplates) {
            List<String> words = checkWords(name, s);
            if (count(words, SUBJECT) != 1 || count(words, OBJECT) != 1 || !s.endsWith(" .")) {
                throw new IllegalArgumentException(name + ": a statement names subject and object once each and ends with ' .': " + s);
            }
        }
    }

    /** Question {@code template} (0-based) about {@code subject}. */
    public String question(int template, String subject) {
        return questionTemplates.get(template).replace(SUBJECT, subject);
    }

    /** Statement phrasing {@code phrasing} (0-based) of the fact (subject, this, object). */
    public String statement(int phrasing, String subject, String object) {
        return statementTemplates.get(phrasing).replace(SUBJECT, subject).replace(OBJECT, object);
    }

    /** Every word of every template, placeholders excluded. */
    public Set<String> templateWords() {
        Set<String> words = new LinkedHashSet<>();
        for (String template : questionTemplates) {
            words.addAll(List.of(template.split(" ")));
        }
        for (String template : statementTemplates) {
            words.addAll(List.of(template.split(" ")));
        }
        words.remove(SUBJECT);
        words.remove(OBJECT);
        return words;
    }

    private static List<String> checkWords(String relation, String template) {
        List<String> words = List.of(template.split(" ", -1));
        for (String word : words) {
            if (!WORD.matcher(word).matches()) {
                throw new IllegalArgumentException(relation + ": bad word '" + word + "' in template: " + template);
            }
        }
        return words;
    }

    private static int count(List<String> words, String word) {
        return (int) words.stream().filter(word::equals).count();
    }
}
