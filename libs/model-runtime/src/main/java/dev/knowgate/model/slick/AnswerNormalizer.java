package dev.knowgate.model.slick;

import java.util.Collection;
import java.util.Locale;
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
