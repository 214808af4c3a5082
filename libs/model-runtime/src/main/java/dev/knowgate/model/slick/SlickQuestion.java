package dev.knowgate.model.slick;

import java.util.ArrayList;
import java.util.List;

/** What SliCK needs of an example: its id (for reproducible prompts), the fact, and its gold answers. */
public record SlickQuestion(String id, String relation, String question, String answer, List<String> aliases) {

    public SlickQuestion {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
    }

    /** The gold answer, then its aliases: every text that counts as correct. */
    public List<String> answers() {
        List<String> answers = new ArrayList<>(1 + aliases.size());
        answers.add(answer);
        answers.addAll(aliases);
        return answers;
    }
}
