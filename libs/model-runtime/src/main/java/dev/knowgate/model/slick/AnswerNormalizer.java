package dev.knowgate.model.slick;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Exact match after normalisation, as SliCK's paper scores answers (the SQuAD rule it inherits from
 * EntityQuestions): lower case, punctuation removed, the articles "a", "an" and "the" removed as
 * words, runs of whitespace collapsed to one space and trimmed. Punctuation is ASCII punctuation
 * (Python's string.punctuation, as in SQuAD) plus every Unicode punctuation character.
 */
public final class AnswerNormalizer {

    private static final Pattern ARTICLES = Pattern.compile("(?U)\\b(a|an|the)\\b");
    private static final Pattern WHITESPACE = Pattern.compile("(?U)\\s+");
    private static final String ASCII_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    private static final Set<String> ARTICLE_WORDS = Set.of("a", "an", "the");
    /** A last word that may still become an article: the articles and their beginnings. */
    private static final Set<String> ARTICLE_PREFIXES = Set.of("", "a", "an", "t", "th", "the");

    private AnswerNormalizer() {
    }

    public static String normalize(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        StringBuilder kept = new StringBuilder(lower.length());
        lower.codePoints().filter(c -> !isPunctuation(c)).forEach(kept::appendCodePoint);
        String noArticles = ARTICLES.matcher(kept).replaceAll(" ");
        return WHITESPACE.matcher(noArticles).replaceAll(" ").strip();
    }

    /**
     * Whether the prediction equals one of the gold answers after normalisation. A prediction that
     * normalises to nothing (an empty answer, or only "the") never matches: the model said nothing.
     */
    public static boolean matches(String prediction, Collection<String> golds) {
        String normalized = normalize(prediction);
        if (normalized.isEmpty()) {
            return false;
        }
        for (String gold : golds) {
            if (normalized.equals(normalize(gold))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether some continuation of {@code prefix} (the text of an answer's first tokens) could still
     * {@link #matches match} one of the gold answers. Conservative: false only when no continuation
     * can, true whenever that is not certain (any character besides ASCII-case letters, digits and
     * spaces after punctuation is removed, or a last word that may still grow into an article).
     *
     * <p>Every word but the last is taken as complete, the last one as open even after trailing
     * spaces: a decoder may still join it with what follows (a clean-up step that writes "John 's"
     * as "John's"), but no decoder changes text further back.
     */
    public static boolean mayMatchAfter(String prefix, Collection<String> golds) {
        String lower = prefix.toLowerCase(Locale.ROOT);
        StringBuilder kept = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); ) {
            int c = lower.codePointAt(i);
            i += Character.charCount(c);
            if (isPunctuation(c)) {
                continue;
            }
            if (c != ' ' && !(c < 128 && Character.isLetterOrDigit(c))) {
                return true; // case mapping and word boundaries beyond ASCII are not modelled here
            }
            kept.appendCodePoint(c);
        }
        String text = kept.toString().strip();
        List<String> words = text.isEmpty() ? List.of() : Arrays.asList(text.split(" +"));
        String open = words.isEmpty() ? "" : words.get(words.size() - 1);
        List<String> complete = words.isEmpty() ? List.of()
                : words.subList(0, words.size() - 1).stream().filter(w -> !ARTICLE_WORDS.contains(w)).toList();
        if (ARTICLE_PREFIXES.contains(open)) {
            open = ""; // it may become an article and vanish, or begin the next gold word
        }
        for (String gold : golds) {
            String normalized = normalize(gold);
            List<String> goldWords = normalized.isEmpty() ? List.of() : Arrays.asList(normalized.split(" "));
            if (complete.size() > goldWords.size() || !goldWords.subList(0, complete.size()).equals(complete)) {
                continue;
            }
            if (open.isEmpty()
                    || complete.size() < goldWords.size() && goldWords.get(complete.size()).startsWith(open)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isPunctuation(int c) {
        if (c < 128) {
            return ASCII_PUNCTUATION.indexOf(c) >= 0;
        }
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }
}
