package dev.knowgate.e2e.containers;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.utility.DockerImageName;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The images docker/build-images builds, and small Docker API helpers the container tests share. */
final class Images {

    static final String INGEST = "knowgate/ingest:latest";
    static final String CATEGORIZE = "knowgate/categorize-stream:latest";
    static final String TRAINER = "knowgate/trainer:latest";
    static final String MONITOR = "knowgate/monitor:latest";
    static final String KAFKA = "knowgate/kafka:4.1.1";
    static final String[] ALL = {INGEST, CATEGORIZE, TRAINER, MONITOR, KAFKA};

    /** The service user every image runs as (each docker/SERVICE/Dockerfile). */
    static final String SERVICE_UID = "10001";

    private Images() {
    }

    static DockerImageName kafka() {
        return DockerImageName.parse(KAFKA).asCompatibleSubstituteFor("apache/kafka");
    }

    static DockerClient docker() {
        return DockerClientFactory.instance().client();
    }

    /** Exit code and output of a container run to its end. */
    record Exit(int code, String output) {
    }

    /** Runs an image with the given environment (added to the image's own) until it exits. */
    static Exit runToExit(String image, Map<String, String> env, int timeoutSeconds) throws InterruptedException {
        DockerClient docker = docker();
        List<String> envList = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        String id = docker.createContainerCmd(image).withEnv(envList).exec().getId();
        try {
            docker.startContainerCmd(id).exec();
            int code = docker.waitContainerCmd(id).start().awaitStatusCode(timeoutSeconds, TimeUnit.SECONDS);
            return new Exit(code, logs(id));
        } finally {
            docker.removeContainerCmd(id).withForce(true).exec();
        }
    }

    static String logs(String containerId) throws InterruptedException {
        StringBuilder out = new StringBuilder();
        docker().logContainerCmd(containerId).withStdOut(true).withStdErr(true)
                .exec(new ResultCallback.Adapter<Frame>() {
                    @Override
                    public void onNext(Frame frame) {
                        out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                    }
                }).awaitCompletion(30, TimeUnit.SECONDS);
        return out.toString();
    }
}
