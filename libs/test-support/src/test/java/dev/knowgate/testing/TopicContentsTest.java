package dev.knowgate.testing;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicContentsTest {

    @Test
    void recordsWrittenRightAfterTheTopicIsCreatedAreAllThereInOrder() throws Exception {
        String bootstrap = KafkaBroker.shared().bootstrapServers();
        String topic = create(bootstrap, Map.of());
        List<ProducerRecord<String, byte[]>> records = IntStream.range(0, 300)
                .mapToObj(i -> new ProducerRecord<>(topic, "k" + (i % 17), ("v" + i).getBytes(StandardCharsets.UTF_8)))
                .toList();

        TopicContents.write(bootstrap, records);

        List<String> read = TopicContents.committed(bootstrap, topic).stream()
                .map(r -> r.key() + "=" + new String(r.value(), StandardCharsets.UTF_8)).toList();
        assertThat(read).hasSize(300);
        for (int k = 0; k < 17; k++) { // one key, one partition: in the order written
            int key = k;
            List<String> written = IntStream.range(0, 300).filter(i -> i % 17 == key)
                    .mapToObj(i -> "k" + key + "=v" + i).toList();
            assertThat(read.stream().filter(s -> s.startsWith("k" + key + "=")).toList()).isEqualTo(written);
        }
    }

    @Test
    void aRecordTheBrokerRefusesFailsTheWriteNamingIt() throws Exception {
        String bootstrap = KafkaBroker.shared().bootstrapServers();
        String topic = create(bootstrap, Map.of("max.message.bytes", "2048"));
        List<ProducerRecord<String, byte[]>> records = List.of(
                new ProducerRecord<>(topic, "small", new byte[10]),
                new ProducerRecord<>(topic, "too-large", new byte[64 * 1024]),
                new ProducerRecord<>(topic, "small-too", new byte[10]));

        assertThatThrownBy(() -> TopicContents.write(bootstrap, records))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("record 2 of 3")
                .hasMessageContaining("topic " + topic)
                .hasMessageContaining("key too-large");
    }

    private static String create(String bootstrap, Map<String, String> configs) throws Exception {
        String topic = "contents-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1).configs(configs))).all().get();
        }
        return topic;
    }
}
