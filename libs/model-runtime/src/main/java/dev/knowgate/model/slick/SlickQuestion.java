package dev.knowgate.model.slick;

import java.util.List;

/** What SliCK needs of an example: its id (for reproducible prompts), the fact, and its gold answers. */
public record SlickQuestion(String id, String relation, String question, String answer, List<String> aliases) {

    public SlickQuestion {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
    }
}
