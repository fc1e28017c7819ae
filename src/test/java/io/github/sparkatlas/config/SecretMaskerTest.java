package io.github.sparkatlas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretMaskerTest {
  private static final String EVENT_HUBS_JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
      + "username=\"$ConnectionString\" password=\"Endpoint=sb://x.servicebus.windows.net/;"
      + "SharedAccessKeyName=k;SharedAccessKey=SECRET123=\";";

  @ParameterizedTest
  @ValueSource(strings = {
      "ssl.truststore.password",
      "atlas.kafka.ssl.keystore.password",
      "ssl.key.password",
      "SSL.KEY.PASSWORD",
      "db.passwd",
      "client.secret",
      "oauth.token",
      "azure.credential",
      "fs.azure.sas.mycontainer.myaccount",
      "fs.azure.account.key.acct.dfs.core.windows.net",
      "fs.s3a.access.key",
      "ssl.private.key",
      "service.apikey",
      "service.api.key"})
  void wholeValueOfASecretLookingKeyIsMasked(String key) {
    assertEquals(SecretMasker.MASK, SecretMasker.maskValue(key, "s3cr3t-value"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "bootstrap.servers",
      "security.protocol",
      "atlas.notification.hook.topic.name",
      "atlas.metadata.namespace",
      "ssl.truststore.location",
      "client.id"})
  void valueOfAnOrdinaryKeyIsShownUnchanged(String key) {
    assertEquals("some-value", SecretMasker.maskValue(key, "some-value"));
  }

  @Test
  void nullValueStaysNull() {
    assertNull(SecretMasker.maskValue("ssl.key.password", null));
    assertNull(SecretMasker.maskValue("sasl.jaas.config", null));
  }

  @Test
  void eventHubsJaasConfigKeepsLoginModuleAndUserButMasksTheConnectionString() {
    String masked = SecretMasker.maskValue("sasl.jaas.config", EVENT_HUBS_JAAS);

    assertEquals("org.apache.kafka.common.security.plain.PlainLoginModule required "
        + "username=\"$ConnectionString\" password=\"" + SecretMasker.MASK + "\";", masked);
  }

  @Test
  void jaasConfigIsRecognisedUnderItsPrefixedKeyNames() {
    for (String key : new String[] {"atlas.kafka.sasl.jaas.config", "spark.atlas.kafka.sasl.jaas.config",
        "listener.name.sasl_ssl.plain.sasl.jaas.config"}) {
      String masked = SecretMasker.maskValue(key, EVENT_HUBS_JAAS);
      assertFalse(masked.contains("SECRET123"), key + ": " + masked);
      assertTrue(masked.contains("username=\"$ConnectionString\""), key + ": " + masked);
    }
  }

  @Test
  void unquotedJaasPasswordIsMaskedUpToTheNextSeparator() {
    String masked = SecretMasker.maskJaas(
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=alice password=hunter2;");

    assertEquals("org.apache.kafka.common.security.plain.PlainLoginModule required username=alice password=\""
        + SecretMasker.MASK + "\";", masked);
  }

  @Test
  void quotedJaasPasswordWithEscapedQuotesIsMaskedWhole() {
    String masked = SecretMasker.maskJaas(
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"bob\" "
            + "password=\"pa\\\"ss word;still-secret\";");

    assertFalse(masked.contains("ss word"), masked);
    assertFalse(masked.contains("still-secret"), masked);
    assertTrue(masked.contains("username=\"bob\""), masked);
    assertTrue(masked.endsWith("password=\"" + SecretMasker.MASK + "\";"), masked);
  }

  @Test
  void everySecretOptionOfAJaasConfigIsMaskedCaseInsensitively() {
    String masked = SecretMasker.maskJaas("com.example.LoginModule required user=\"u\" Password = \"p1\" "
        + "clientSecret=\"ignored-name\" secret=\"s2\" token=t3 key=\"k4\";");

    for (String secret : new String[] {"p1", "s2", "t3", "k4"}) {
      assertFalse(masked.contains("\"" + secret + "\"") || masked.contains("=" + secret), secret + ": " + masked);
    }
    assertTrue(masked.contains("user=\"u\""), masked);
  }

  @Test
  void jaasWithoutSecretsIsUnchanged() {
    String kerberos = "com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true "
        + "keyTab=\"/etc/security/keytabs/spark.keytab\" principal=\"spark@EXAMPLE.COM\";";

    assertEquals(kerberos, SecretMasker.maskJaas(kerberos));
  }

  @Test
  void dollarAndBackslashInASecretDoNotBreakMasking() {
    String masked = SecretMasker.maskJaas("x required password=\"a$1\\\\b\";");

    assertEquals("x required password=\"" + SecretMasker.MASK + "\";", masked);
  }

  @Test
  void invalidValueMessageOfASecretKeyDoesNotEchoTheSecret() {
    ConfigException error = ConfigType.invalid("atlas.some.password", "hunter2", "anything");

    assertFalse(error.getMessage().contains("hunter2"), error.getMessage());
    assertTrue(error.getMessage().contains("atlas.some.password"), error.getMessage());
  }
}
