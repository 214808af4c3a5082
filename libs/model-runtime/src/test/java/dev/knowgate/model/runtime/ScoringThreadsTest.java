package dev.knowgate.model.runtime;

import ai.onnxruntime.OrtException;
import dev.knowgate.model.registry.ModelFolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A call's passes on several lanes at once (RuntimeOptions.scoringThreads): the same scores, bit for
 * bit, as on one lane, whichever lane took which chunk; a pass that fails on any lane fails the call
 * with ONNX Runtime's error, and the scorer serves the next call. The KV-cache decoder splits a
 * call's groups over lanes and decodes the same tokens as on one.
 */
class ScoringThreadsTest {

    static ModelFolder base;
    static PrefixScorer oneLane;
    static PrefixScorer threeLanes;

    @BeforeAll
    static void load() throws Exception {
        base = ModelFolder.open(Path.of("..", "..", "models", "knowgate-base-1"));
        oneLane = PrefixScorer.load(base, RuntimeOptions.cpu().withScoringThreads(1), 0);
        threeLanes = PrefixScorer.load(base, RuntimeOptions.cpu().withScoringThreads(3), 0);
    }

    @AfterAll
    static void close() throws Exception {
        oneLane.close();
        threeLanes.close();
    }

    /** 150 requests of 110 distinct prefixes: four chunks of at most 32 prefixes, more than one per lane. */
    private static List<ScoringRequest> requests(int vocab) {
        SplittableRandom random = new SplittableRandom(5);
        List<ScoringRequest> requests = new ArrayList<>();
        for (int i = 0; i < 110; i++) {
            int[] tokens = random.ints(20 + random.nextInt(25), 5, vocab).toArray();
            requests.add(new ScoringRequest(tokens, tokens.length - 3, tokens.length - 4));
            if (i % 3 == 0) { // an alias on the same prefix
                int[] alias = tokens.clone();
                alias[alias.length - 1] = random.nextInt(5, vocab);
                requests.add(new ScoringRequest(alias, alias.length - 3, alias.length - 4));
            }
        }
        return requests;
    }

    @Test
    void lanesScoreExactlyAsOneDoes() throws Exception {
        assertThat(oneLane.threads()).isEqualTo(1);
        assertThat(threeLanes.threads()).isEqualTo(3);
        List<ScoringRequest> requests = requests(oneLane.vocabSize());
        PrefixScorer.Work before = threeLanes.work();
        List<TargetScore> expected = oneLane.score(requests, 0.5, 40);
        List<TargetScore> actual = threeLanes.score(requests, 0.5, 40);
        PrefixScorer.Work work = threeLanes.work().minus(before);
        assertThat(work.passes()).as("a prefix pass and a continuation pass per chunk").isEqualTo(8);
        assertThat(work.targets()).isEqualTo(requests.stream().mapToLong(ScoringRequest::targets).sum());
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            TargetScore e = expected.get(i);
            TargetScore a = actual.get(i);
            assertThat(a.targets()).as("request %d", i).isEqualTo(e.targets());
            assertThat(a.argmax()).as("request %d", i).isEqualTo(e.argmax());
            assertThat(a.logProb()).as("request %d", i).isEqualTo(e.logProb());
            assertThat(a.sampledLogProb()).as("request %d", i).isEqualTo(e.sampledLogProb());
        }
    }

    @Test
    void decodingOnLanesGivesTheTokensOfOneLane() throws Exception {
        try (KvCacheDecoder one = KvCacheDecoder.load(base, RuntimeOptions.cpu().withScoringThreads(1), 0);
             KvCacheDecoder three = KvCacheDecoder.load(base, RuntimeOptions.cpu().withScoringThreads(3), 0)) {
            assertThat(one.threads()).isEqualTo(1);
            assertThat(three.threads()).isEqualTo(3);
            StopTokens stops = StopTokens.of(3);
            List<List<Decoded>> expected = one.decode(groups(one.vocabSize()), stops, 10);
            List<List<Decoded>> actual = three.decode(groups(one.vocabSize()), stops, 10);
            assertThat(actual).isEqualTo(expected);
            assertThat(expected.stream().flatMap(List::stream).map(d -> d.tokens().length).distinct().count())
                    .as("rows of different lengths").isGreaterThan(1);
        }
    }

    /** Groups of prompts of 5 to 39 tokens, each decoded greedily and by three seeded samplers. */
    private static List<DecodeGroup> groups(int vocab) {
        SplittableRandom random = new SplittableRandom(11);
        List<DecodeGroup> groups = new ArrayList<>();
        for (int g = 0; g < 13; g++) {
            List<TokenChooser> rows = new ArrayList<>(List.of(TokenChooser.GREEDY));
            for (int s = 0; s < 3; s++) {
                rows.add(new TopKSampler(1.0, 40, 100L * g + s));
            }
            groups.add(new DecodeGroup(random.ints(5 + random.nextInt(35), 5, vocab).toArray(), rows));
        }
        return groups;
    }

    @Test
    void aFailingPassFailsTheCallAndTheNextCallIsServed() throws Exception {
        List<ScoringRequest> requests = new ArrayList<>(requests(threeLanes.vocabSize()));
        int[] bad = requests.get(100).tokens();
        bad[2] = threeLanes.vocabSize() + 1000; // in the fourth chunk's prefix: no such embedding row
        requests.set(100, new ScoringRequest(bad, bad.length - 3, bad.length - 4));
        assertThatThrownBy(() -> threeLanes.score(requests, 0.5, 40))
                .isInstanceOf(OrtException.class)
                .hasMessageContaining("out of");
        List<ScoringRequest> good = requests(threeLanes.vocabSize());
        List<TargetScore> again = threeLanes.score(good, 0.5, 40);
        List<TargetScore> expected = oneLane.score(good, 0.5, 40);
        for (int i = 0; i < good.size(); i++) {
            assertThat(again.get(i).logProb()).as("request %d", i).isEqualTo(expected.get(i).logProb());
        }
    }
}
