package dev.knowgate.testing;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SharedKafkaBrokerTest {

    @Test
    void sharedBrokerIsRealAndStartedOnce() throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        assertThat(KafkaBroker.shared()).isSameAs(broker);
        BrokerRoundTrip.check(broker.bootstrapServers());
    }
}
