package dev.knowgate.training.finetune;

import dev.knowgate.model.runtime.ModelTokenizer;
import dev.knowgate.world.Fact;
import dev.knowgate.world.FactWorld;
import dev.knowgate.world.QaFormat;
import dev.knowgate.world.WorldConfig;
import dev.knowgate.world.WorldTokenizer;

import java.nio.file.Path;
import java.util.List;

/**
 * The micro world as FineTuner's tests train on it: the size of its word-level vocabulary, 24 pool
 * facts to train on and the next 24 as facts the round does not see.
 */
record MicroRound(int vocab, List<QaSequence> train, List<QaSequence> other) {

    static MicroRound load(Path dir) throws Exception {
        FactWorld world = FactWorld.generate(WorldConfig.micro(5L));
        try (ModelTokenizer tokenizer = ModelTokenizer.load(WorldTokenizer.write(world, dir.resolve("tokenizer.json")))) {
            List<QaSequence> pool = world.finetunePool().subList(0, 48).stream().map((Fact f) -> QaSequence.of(
                    tokenizer, QaFormat.PROMPT_TEMPLATE, QaFormat.ANSWER_TERMINATOR, f.question(), f.answer())).toList();
            return new MicroRound(WorldTokenizer.tokens(world.vocabulary()).size(), pool.subList(0, 24),
                    pool.subList(24, 48));
        }
    }
}
