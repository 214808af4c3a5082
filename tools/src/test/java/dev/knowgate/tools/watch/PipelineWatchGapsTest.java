package dev.knowgate.tools.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** bin/run says plainly when a run ended before its work was done (and exits 3), instead of printing partial figures as results. */
class PipelineWatchGapsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static PipelineWatch.Snapshot snapshot(long categorized, String versions) throws Exception {
        return new PipelineWatch.Snapshot(json("[{\"counts\":{\"MaybeKnown\":" + categorized + "}}]"), json(versions),
                json("{\"active\":[]}"), json("[]"), "filtered");
    }

    @Test
    void aFinishedRunHasNoGaps() throws Exception {
        var s = snapshot(1200, "[{\"key\":\"m@1\",\"status\":\"base\",\"probes\":300,\"probesTotal\":300},"
                + "{\"key\":\"m@2\",\"status\":\"promoted\",\"probes\":300,\"probesTotal\":300}]");

        assertThat(PipelineWatch.gaps(s, 1200, json("{\"pending\":0,\"paused\":false}"))).isEmpty();
    }

    @Test
    void everyUnfinishedPartIsNamed() throws Exception {
        var s = snapshot(1085, "[{\"key\":\"m@1\",\"status\":\"base\",\"probes\":300,\"probesTotal\":300},"
                + "{\"key\":\"m@2\",\"status\":\"promoted\",\"probes\":231,\"probesTotal\":300}]");

        assertThat(PipelineWatch.gaps(s, 1200, json("{\"pending\":40,\"paused\":false,\"roundInProgress\":\"round-7\"}")))
                .containsExactly("categorized 1085 of 1200 examples", "40 accepted examples not trained on",
                        "round round-7 still in progress", "still waiting for m@2's probes (231 of 300)");
        assertThat(PipelineWatch.gaps(s, 1085, null)).contains("the trainer did not answer");
    }
}
