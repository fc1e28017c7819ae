package io.github.sparkatlas.delivery;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka producer's properties: defaults that suit Atlas and Event Hubs, then the user's atlas.kafka.*
 * values. Class names the user writes (the PLAIN login module in sasl.jaas.config, callback handlers) are
 * mapped to the agent's relocated copy of kafka-clients, or the login would fail with a class not found.
 */
public final class ProducerSettings {
  /** Event Hubs closes the connection on a larger request; Microsoft recommends this value. */
  static final int EVENT_HUBS_MAX_REQUEST_SIZE = 1_000_000;

  private ProducerSettings() {
  }

  public static Properties of(Map<String, String> userSettings, int messageMaxLength) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("acks", "all");
    // Idempotence needs a broker permission Event Hubs does not grant; one request in flight keeps order anyway.
    settings.put("enable.idempotence", "false");
    settings.put("max.in.flight.requests.per.connection", "1");
    settings.put("max.request.size", Integer.toString(Math.max(EVENT_HUBS_MAX_REQUEST_SIZE, messageMaxLength + 16_384)));
    settings.put("request.timeout.ms", "30000");
    settings.put("delivery.timeout.ms", "120000");
    settings.put("metadata.max.age.ms", "180000");
    settings.put("connections.max.idle.ms", "180000");
    // The sender must notice an unreachable broker or a missing topic soon: the flush at application end stops
    // waiting at the first failure, so this bounds how much a dead broker can delay the driver's exit.
    settings.put("max.block.ms", "5000");
    // Kafka's default (1 s) logs a connection WARN every second while a broker is down; the spool makes haste
    // pointless.
    settings.put("reconnect.backoff.max.ms", "10000");
    settings.put("client.id", "spark-atlas-agent");
    for (Map.Entry<String, String> entry : userSettings.entrySet()) {
      settings.put(entry.getKey(), relocateClassNames(entry.getValue()));
    }
    Properties properties = new Properties();
    properties.putAll(settings);
    properties.put("key.serializer", StringSerializer.class);
    properties.put("value.serializer", StringSerializer.class);
    return properties;
  }

  /** The largest record value the producer accepts with these settings (what tests hold our records to). */
  public static int maxRequestSize(Properties properties) {
    return Integer.parseInt(String.valueOf(properties.get("max.request.size")));
  }

  /**
   * Rewrites Kafka class names to the package this copy of kafka-clients really lives in. The original package
   * is assembled at run time because the shade plugin rewrites string constants that look like it.
   */
  static String relocateClassNames(String value) {
    String original = String.join(".", "org", "apache", "kafka") + ".";
    String producer = KafkaProducer.class.getName();
    String actual = producer.substring(0, producer.length() - "clients.producer.KafkaProducer".length());
    if (actual.equals(original) || value == null) {
      return value;
    }
    Matcher matcher = Pattern.compile("(?<![\\w.$])" + Pattern.quote(original)).matcher(value);
    return matcher.replaceAll(Matcher.quoteReplacement(actual));
  }
}
