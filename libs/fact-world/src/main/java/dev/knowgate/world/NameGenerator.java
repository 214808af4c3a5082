package dev.knowgate.world;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Invents pronounceable names from syllables (onset, vowel, coda). Every invented word is unique
 * in the world, case-insensitively, and differs from every fixed word (templates, name parts), so
 * an entity's words point to that entity alone.
 */
final class NameGenerator {

    private static final String[] ONSETS = {"b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z",
            "br", "dr", "gr", "kr", "tr", "st", "th", "sh", "ch", "vr", "sk"};
    private static final String[] VOWELS = {"a", "e", "i", "o", "u", "a", "e", "o", "ai", "ei", "ou", "ia"};
    private static final String[] CODAS = {"", "", "", "", "n", "r", "s", "l", "m", "th", "k", "nd", "st"};
    private static final String[] CITY_ENDINGS = {"", "", "", "ton", "burg", "mere", "vale", "holm", "by", "ford"};
    private static final String[] COUNTRY_ENDINGS = {"ia", "land", "ora", "ania", "estan", "ary", "ica"};

    static final List<String> COMPANY_SUFFIXES = List.of("Systems", "Industries", "Works", "Labs", "Holdings",
            "Group", "Dynamics", "Foods", "Motors", "Textiles");
    static final List<String> BAND_NOUNS = List.of("Echoes", "Wolves", "Lanterns", "Ravens", "Tides", "Engines",
            "Sparrows", "Mirrors", "Comets", "Shadows");
    static final List<String> BOOK_NOUNS = List.of("Garden", "River", "Crown", "Letter", "Silence", "Harvest",
            "Voyage", "Tower", "Song", "Winter", "Lantern", "Bridge");
    static final List<String> GENRE_STYLES = List.of("rock", "pop", "jazz", "folk", "wave", "metal", "soul", "punk");
    static final List<String> LABEL_SUFFIXES = List.of("Records", "Music", "Sound");
    static final List<String> UNIVERSITY_FORMS = List.of("University of {w}", "{w} University", "{w} Institute", "{w} College");
    /** Words of names that are not invented; an invented word never equals one of them. */
    static final List<String> FIXED_NAME_WORDS;

    static {
        Set<String> fixed = new LinkedHashSet<>();
        fixed.addAll(COMPANY_SUFFIXES);
        fixed.addAll(BAND_NOUNS);
        fixed.addAll(BOOK_NOUNS);
        fixed.addAll(GENRE_STYLES);
        fixed.addAll(LABEL_SUFFIXES);
        fixed.addAll(List.of("The", "of", "University", "Institute", "College"));
        FIXED_NAME_WORDS = List.copyOf(fixed);
    }

    private final SplittableRandom random;
    private final Set<String> used = new HashSet<>();

    NameGenerator(SplittableRandom random, Collection<String> reservedWords) {
        this.random = random;
        for (String word : reservedWords) {
            used.add(word.toLowerCase(Locale.ROOT));
        }
        for (String word : FIXED_NAME_WORDS) {
            used.add(word.toLowerCase(Locale.ROOT));
        }
    }

    /** {@code count} unique names of {@code kind}. */
    List<String> names(EntityKind kind, int count) {
        return switch (kind) {
            case PERSON -> people(count);
            case CITY -> single(count, CITY_ENDINGS, 1, 2);
            case COUNTRY -> single(count, COUNTRY_ENDINGS, 1, 2);
            case COMPANY -> combined(count, COMPANY_SUFFIXES, "{w} {x}");
            case UNIVERSITY -> combined(count, UNIVERSITY_FORMS, "{x}");
            case BAND -> combined(count, BAND_NOUNS, "The {w} {x}");
            case BOOK -> combined(count, BOOK_NOUNS, "The {x} of {w}");
            case GENRE -> lowerCombined(count);
            case RECORD_LABEL -> combined(count, LABEL_SUFFIXES, "{w} {x}");
        };
    }

    /** First and last names from two pools of invented words, combined without repetition. */
    private List<String> people(int count) {
        int pool = (int) Math.ceil(Math.sqrt(count) * 1.6) + 4;
        List<String> first = new ArrayList<>();
        List<String> last = new ArrayList<>();
        for (int i = 0; i < pool; i++) {
            first.add(word(2, 2, ""));
            last.add(word(2, 3, ""));
        }
        Set<String> names = new LinkedHashSet<>();
        while (names.size() < count) {
            names.add(first.get(random.nextInt(pool)) + " " + last.get(random.nextInt(pool)));
        }
        return List.copyOf(names);
    }

    private List<String> single(int count, String[] endings, int minSyllables, int maxSyllables) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(word(minSyllables, maxSyllables, endings[random.nextInt(endings.length)]));
        }
        return names;
    }

    private List<String> combined(int count, List<String> parts, String pattern) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String part = parts.get(random.nextInt(parts.size()));
            names.add(pattern.replace("{x}", part).replace("{w}", word(1, 2, "")));
        }
        return names;
    }

    private List<String> lowerCombined(int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(word(1, 2, "").toLowerCase(Locale.ROOT) + " " + GENRE_STYLES.get(random.nextInt(GENRE_STYLES.size())));
        }
        return names;
    }

    /** A new capitalised word of {@code min..max} syllables plus {@code ending}, unique in the world. */
    private String word(int minSyllables, int maxSyllables, String ending) {
        for (int attempt = 0; ; attempt++) {
            int syllables = minSyllables + random.nextInt(maxSyllables - minSyllables + 1 + attempt / 50);
            StringBuilder sb = new StringBuilder();
            for (int s = 0; s < syllables; s++) {
                sb.append(ONSETS[random.nextInt(ONSETS.length)]).append(VOWELS[random.nextInt(VOWELS.length)]);
                if (s == syllables - 1 || random.nextInt(3) == 0) {
                    sb.append(CODAS[random.nextInt(CODAS.length)]);
                }
            }
            sb.append(ending);
            String word = sb.toString();
            if (word.length() >= 4 && used.add(word)) {
                return Character.toUpperCase(word.charAt(0)) + word.substring(1);
            }
        }
    }
}
