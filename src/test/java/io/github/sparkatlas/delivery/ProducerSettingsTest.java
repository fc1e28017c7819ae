package io.github.sparkatlas.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProducerSettingsTest {
  /** Event Hubs closes the connection on a request larger than this (FIELD-NOTES §2). */
  private static final int EVENT_HUBS_HARD_LIMIT = 1_046_528;
  /** Room a record needs beyond its value in a produce request: batch and record headers, key, topic. */
  private static final int REQUEST_OVERHEAD = 1_024;
  private static final String EVENT_HUBS_JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
      + "username=\"$ConnectionString\" password=\"Endpoint=sb://x.servicebus.windows.net/;"
      + "SharedAccessKeyName=k;SharedAccessKey=SECRET123=\";";

  @Test
  void defaultsSuitAtlasAndEventHubs() {
    Properties properties = ProducerSettings.of(Map.of(), 900_000);

    assertEquals("all", properties.get("acks"));
    assertEquals("false", properties.get("enable.idempotence"));
    assertEquals("1", properties.get("max.in.flight.requests.per.connection"));
    long maxBlock = Long.parseLong(String.valueOf(properties.get("max.block.ms")));
    assertTrue(maxBlock > 0 && maxBlock <= 60_000, "max.block.ms bounded: " + maxBlock);
    assertEquals("180000", properties.get("metadata.max.age.ms"));
    assertEquals("180000", properties.get("connections.max.idle.ms"));
    long requestTimeout = Long.parseLong(String.valueOf(properties.get("request.timeout.ms")));
    assertTrue(requestTimeout >= 30_000 && requestTimeout <= 60_000, "request.timeout.ms " + requestTimeout);
  }

  @Test
  void maxRequestSizeForTheDefaultMaxLengthHoldsAFullRecordAndStaysUnderTheEventHubsLimit() {
    int size = ProducerSettings.maxRequestSize(ProducerSettings.of(Map.of(), 900_000));

    assertTrue(size >= 900_000 + REQUEST_OVERHEAD, "max.request.size " + size);
    assertTrue(size <= EVENT_HUBS_HARD_LIMIT, "max.request.size " + size);
  }

  @ParameterizedTest
  @ValueSource(ints = {4096, 256_000, 900_000, 999_488, 1_000_000})
  void maxRequestSizeUpToAtlasDefaultMaxLengthStaysUnderTheEventHubsLimit(int maxLength) {
    int size = ProducerSettings.maxRequestSize(ProducerSettings.of(Map.of(), maxLength));

    assertTrue(size >= maxLength + REQUEST_OVERHEAD, maxLength + " -> " + size);
    assertTrue(size <= EVENT_HUBS_HARD_LIMIT, maxLength + " -> " + size);
  }

  @Test
  void maxRequestSizeGrowsWithALargerMaxLengthForSelfHostedKafka() {
    int size = ProducerSettings.maxRequestSize(ProducerSettings.of(Map.of(), 5_000_000));

    assertTrue(size >= 5_000_000 + REQUEST_OVERHEAD, "max.request.size " + size);
  }

  @Test
  void userValuesOverrideTheDefaults() {
    Properties properties = ProducerSettings.of(Map.of(
        "acks", "1",
        "max.block.ms", "5000",
        "client.id", "my-cluster",
        "request.timeout.ms", "60000"), 900_000);

    assertEquals("1", properties.get("acks"));
    assertEquals("5000", properties.get("max.block.ms"));
    assertEquals("my-cluster", properties.get("client.id"));
    assertEquals("60000", properties.get("request.timeout.ms"));
    assertEquals("false", properties.get("enable.idempotence"), "untouched defaults stay");
  }

  @Test
  void userOnlySettingsArePassedThroughUnchanged() {
    Properties properties = ProducerSettings.of(Map.of(
        "bootstrap.servers", "x.servicebus.windows.net:9093",
        "security.protocol", "SASL_SSL",
        "sasl.mechanism", "PLAIN",
        "sasl.jaas.config", EVENT_HUBS_JAAS), 900_000);

    assertEquals("x.servicebus.windows.net:9093", properties.get("bootstrap.servers"));
    assertEquals("SASL_SSL", properties.get("security.protocol"));
    assertEquals("PLAIN", properties.get("sasl.mechanism"));
    assertEquals(EVENT_HUBS_JAAS, properties.get("sasl.jaas.config"));
  }

  @Test
  void keyAndValueSerializersAreStringSerializerClassesWhateverTheUserSays() {
    Properties defaults = ProducerSettings.of(Map.of(), 900_000);
    Properties overridden = ProducerSettings.of(Map.of(
        "key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer",
        "value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer"), 900_000);

    for (Properties properties : new Properties[] {defaults, overridden}) {
      assertSame(StringSerializer.class, properties.get("key.serializer"));
      assertSame(StringSerializer.class, properties.get("value.serializer"));
    }
  }

  @Test
  void settingsAreAValidKafkaProducerConfiguration() {
    Properties properties = ProducerSettings.of(Map.of("bootstrap.servers", "localhost:9092"), 900_000);

    ProducerConfig config = new ProducerConfig(properties);

    assertEquals(1, config.getInt("max.in.flight.requests.per.connection"));
    assertEquals(false, config.getBoolean("enable.idempotence"));
    assertEquals(ProducerSettings.maxRequestSize(properties), config.getInt("max.request.size"));
  }

  @Test
  void relocateClassNamesLeavesValuesUnchangedWhenKafkaIsNotShaded() {
    // the unit tests run against the original org.apache.kafka classes
    assertEquals("org.apache.kafka.clients.producer.KafkaProducer", KafkaProducer.class.getName());

    assertEquals(EVENT_HUBS_JAAS, ProducerSettings.relocateClassNames(EVENT_HUBS_JAAS));
    assertEquals("org.apache.kafka.common.security.authenticator.SaslClientCallbackHandler",
        ProducerSettings.relocateClassNames("org.apache.kafka.common.security.authenticator.SaslClientCallbackHandler"));
    assertEquals("PLAIN", ProducerSettings.relocateClassNames("PLAIN"));
    assertNull(ProducerSettings.relocateClassNames(null));
  }
}
