package dev.knowgate.model.runtime;

import dev.knowgate.contracts.ModelVersion;
import dev.knowgate.contracts.SchemaVersions;
import dev.knowgate.model.gpt.GptConfig;
import dev.knowgate.model.gpt.GptWeights;
import dev.knowgate.model.gpt.ReferenceGpt;
import dev.knowgate.model.onnx.GptOnnxWriter;
import dev.knowgate.model.registry.ModelFolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * KV-cache decoding against recomputation on a micro GPT written in both layouts: the same tokens
 * and stops for every row, greedy and sampled, with prompts of different lengths in one batch,
 * padded left or right; greedy tokens also against the plain-Java reference model.
 */
class KvCacheDecoderTest {

    private static final int VOCAB = 40;
    private static final int MAX_POSITIONS = 32;
    private static final int STOP = 7;
    private static final GptWeights WEIGHTS = GptWeights.random(GptConfig.of(VOCAB, MAX_POSITIONS, 16, 2, 2, 64), 7L, 0.3, true);

    @TempDir
    static Path dir;
    static ModelFolder folder;
    static OnnxCausalLm plain;

    @BeforeAll
    static void microModel() throws Exception {
        // The stop token is made likely enough that some decodes end on it and others run on.
        float[] wte = WEIGHTS.get("wte").data();
        for (int j = 0; j < 16; j++) {
            wte[STOP * 16 + j] *= 2.5f;
        }
        GptOnnxWriter.write(WEIGHTS, GptOnnxWriter.Variant.PLAIN, Map.of(), dir.resolve(OnnxCausalLm.MODEL_FILE));
        GptOnnxWriter.write(WEIGHTS, GptOnnxWriter.Variant.KV_CACHE, Map.of(), dir.resolve(KvCacheDecoder.MODEL_FILE));
        folder = seal(dir);
        plain = OnnxCausalLm.load(folder, RuntimeOptions.cpu());
    }

    static ModelFolder seal(Path where) throws Exception {
        ModelFolder.seal(where, files -> new ModelVersion(SchemaVersions.CURRENT, "micro", 1, null, "knowgate-gpt",
                files, "Q: {question} A:", "<eoa>", Instant.parse("2026-11-22T00:00:00Z"), null, null));
        return ModelFolder.open(where);
    }

    @AfterAll
    static void close() throws Exception {
        plain.close();
    }

    /** Prompts of 1 to 17 tokens; per prompt one greedy row and three samplers, seeded by position. */
    private static Supplier<List<DecodeGroup>> groups(int[] lengths) {
        return () -> {
            SplittableRandom random = new SplittableRandom(5);
            List<DecodeGroup> groups = new ArrayList<>();
            for (int g = 0; g < lengths.length; g++) {
                int[] prompt = random.ints(lengths[g], 8, VOCAB).toArray();
                List<TokenChooser> rows = new ArrayList<>();
                rows.add(TokenChooser.GREEDY);
                for (int s = 0; s < 3; s++) {
                    rows.add(new TopKSampler(1.0, 10, 1000L * g + s));
                }
                groups.add(new DecodeGroup(prompt, rows));
            }
            return groups;
        };
    }

    private static final int[] LENGTHS = {3, 9, 1, 14, 6, 17, 2};

    @ParameterizedTest
    @EnumSource(KvCacheDecoder.Padding.class)
    void kvCacheDecodingEqualsRecomputationRowForRow(KvCacheDecoder.Padding padding) throws Exception {
        Supplier<List<DecodeGroup>> groups = groups(LENGTHS);
        List<List<Decoded>> recomputed = new RecomputingDecoder(plain, 0).decode(groups.get(), STOP, 8);
        List<List<Decoded>> cached;
        try (KvCacheDecoder kv = KvCacheDecoder.load(folder, RuntimeOptions.cpu(), 0, padding)) {
            cached = kv.decode(groups.get(), STOP, 8);
        }

        assertThat(cached).isEqualTo(recomputed);
        // The comparison means something only if rows differ in length and in how they ended.
        List<Decoded> all = recomputed.stream().flatMap(List::stream).toList();
        assertThat(all).extracting(Decoded::stop).contains(Decoded.Stop.TERMINATOR, Decoded.Stop.MAX_TOKENS);
        assertThat(all).extracting(d -> d.tokens().length).contains(0, 1, 8);
        assertThat(all.stream().filter(d -> d.tokens().length >= 2 && d.tokens().length < 8)).isNotEmpty();
    }

    @Test
    void greedyTokensEqualThePlainJavaReference() throws Exception {
        ReferenceGpt reference = new ReferenceGpt(WEIGHTS);
        List<DecodeGroup> groups = groups(LENGTHS).get();
        List<List<Decoded>> cached;
        try (KvCacheDecoder kv = KvCacheDecoder.load(folder, RuntimeOptions.cpu(), 0)) {
            cached = kv.decode(groups, STOP, 8);
        }
        for (int g = 0; g < groups.size(); g++) {
            int[] tokens = groups.get(g).prompt();
            List<Integer> answer = new ArrayList<>();
            Decoded.Stop stop = Decoded.Stop.MAX_TOKENS;
            for (int step = 0; step <= 8; step++) {
                long[] ids = Arrays.stream(tokens).asLongStream().toArray();
                long[] mask = new long[ids.length];
                Arrays.fill(mask, 1);
                float[][] logits = reference.forwardOne(ids, mask);
                int next = TargetScorer.argmax(logits[ids.length - 1]);
                if (next == STOP) {
                    stop = Decoded.Stop.TERMINATOR;
                    break;
                }
                if (step == 8) {
                    break;
                }
                answer.add(next);
                tokens = Arrays.copyOf(tokens, tokens.length + 1);
                tokens[tokens.length - 1] = next;
            }
            assertThat(cached.get(g).get(0)).as("group %d", g)
                    .isEqualTo(new Decoded(answer.stream().mapToInt(Integer::intValue).toArray(), stop));
        }
    }

    @Test
    void aPromptsCacheSharedByItsRowsGivesWhatEachRowDecodedAloneGives() throws Exception {
        List<DecodeGroup> shared = groups(LENGTHS).get();
        List<DecodeGroup> alone = new ArrayList<>();
        for (DecodeGroup g : groups(LENGTHS).get()) {
            for (TokenChooser row : g.rows()) {
                alone.add(new DecodeGroup(g.prompt(), List.of(row)));
            }
        }
        try (KvCacheDecoder kv = KvCacheDecoder.load(folder, RuntimeOptions.cpu(), 0)) {
            List<Decoded> sharedRows = kv.decode(shared, STOP, 8).stream().flatMap(List::stream).toList();
            List<Decoded> aloneRows = kv.decode(alone, STOP, 8).stream().map(l -> l.get(0)).toList();
            assertThat(sharedRows).isEqualTo(aloneRows);
        }
    }

    @ParameterizedTest
    @EnumSource(KvCacheDecoder.Padding.class)
    void decodingStopsAtTheModelsPositionsAndCountsThatAsNoAnswer(KvCacheDecoder.Padding padding) throws Exception {
        // A stop token never chosen greedily here (-1), so every greedy row runs into a limit.
        Supplier<List<DecodeGroup>> groups = () -> List.of(
                new DecodeGroup(new SplittableRandom(1).ints(30, 8, VOCAB).toArray(), List.of(TokenChooser.GREEDY)),
                new DecodeGroup(new SplittableRandom(2).ints(MAX_POSITIONS, 8, VOCAB).toArray(), List.of(TokenChooser.GREEDY)),
                new DecodeGroup(new int[]{9, 10, 11}, List.of(TokenChooser.GREEDY)));
        List<List<Decoded>> recomputed = new RecomputingDecoder(plain, 0).decode(groups.get(), -1, 40);
        try (KvCacheDecoder kv = KvCacheDecoder.load(folder, RuntimeOptions.cpu(), 0, padding)) {
            List<List<Decoded>> cached = kv.decode(groups.get(), -1, 40);
            assertThat(cached).isEqualTo(recomputed);
            // 30 prompt tokens + 2 answer tokens fill the 32 positions; a full prompt leaves no room.
            assertThat(cached.get(0).get(0).tokens()).hasSize(2);
            assertThat(cached.get(1).get(0).tokens()).isEmpty();
            assertThat(cached.get(2).get(0).tokens()).hasSize(MAX_POSITIONS - 3);
            assertThat(cached).allSatisfy(g -> assertThat(g.get(0).stop()).isEqualTo(Decoded.Stop.POSITION_LIMIT));

            DecodeGroup tooLong = new DecodeGroup(new int[MAX_POSITIONS + 1], List.of(TokenChooser.GREEDY));
            assertThatThrownBy(() -> kv.decode(List.of(tooLong), STOP, 4)).isInstanceOf(SequenceTooLongException.class);
            // The decoder still works after refusing.
            assertThat(kv.decode(groups.get().subList(2, 3), -1, 40)).isEqualTo(recomputed.subList(2, 3));
        }
    }

    @Test
    void theFolderDecidesWhichDecoderRuns(@TempDir Path plainOnly) throws Exception {
        try (TokenDecoder decoder = TokenDecoder.forFolder(folder, RuntimeOptions.cpu(), plain, 0)) {
            assertThat(decoder).isInstanceOf(KvCacheDecoder.class);
            assertThat(decoder.maxPositions()).isEqualTo(MAX_POSITIONS);
        }
        Files.copy(dir.resolve(OnnxCausalLm.MODEL_FILE), plainOnly.resolve(OnnxCausalLm.MODEL_FILE));
        ModelFolder withoutKv = seal(plainOnly);
        assertThat(KvCacheDecoder.available(withoutKv)).isFalse();
        try (TokenDecoder decoder = TokenDecoder.forFolder(withoutKv, RuntimeOptions.cpu(), plain, 0)) {
            assertThat(decoder).isInstanceOf(RecomputingDecoder.class);
        }
        assertThat(plain.vocabSize()).as("the fallback does not close the caller's model").isEqualTo(VOCAB);
        assertThat(new RecomputingDecoder(plain, 0).decode(groups(new int[]{4}).get(), STOP, 3)).hasSize(1);
    }
}
