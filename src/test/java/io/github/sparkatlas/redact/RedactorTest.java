package io.github.sparkatlas.redact;

import static io.github.sparkatlas.redact.Redactor.MASK;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RedactorTest {
  private static final Redactor REDACTOR = Redactor.defaults();

  private static final String SPARK_JDBC_SAVE_PLAN = "SaveIntoDataSourceCommand "
      + "org.apache.spark.sql.execution.datasources.jdbc.JdbcRelationProvider@1a2b, "
      + "Map(url -> jdbc:postgresql://db:5432/x, dbtable -> t, user -> bob, password -> hunter2), Overwrite";

  private static final String EVENT_HUBS_JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
      + "username=\"$ConnectionString\" password=\"Endpoint=sb://x.servicebus.windows.net/;"
      + "SharedAccessKeyName=k;SharedAccessKey=AbC+/12=\";";

  private static final String BENIGN_PLAN = "InsertIntoHadoopFsRelationCommand file:/tmp/out, false, Parquet, "
      + "[path=file:/tmp/out], Append, CatalogTable(\n"
      + "Database: default\n"
      + "Table: sales\n"
      + "Owner: spark\n"
      + "Created Time: Mon Jan 01 00:00:00 UTC 2024\n"
      + "Type: MANAGED\n"
      + "Provider: parquet\n"
      + "Location: file:/tmp/spark-warehouse/sales\n"
      + "Partition Provider: Catalog), org.apache.spark.sql.execution.datasources.InMemoryFileIndex@5f3c, "
      + "[id, primaryKey, amount]\n"
      + "+- Project [id#1L, primaryKey#2, (amount#3 * 2) AS amount#4]\n"
      + "   +- Filter ((isnotnull(amount#3) AND (amount#3 >= 10)) AND (region#5 = EMEA))\n"
      + "      +- Relation [id#1L,primaryKey#2,amount#3,region#5] parquet";

  /** Input, and the secret that must not survive redaction. */
  static Stream<Arguments> secrets() {
    return Stream.of(
        Arguments.of("jdbc:postgresql://bob:hunter2@db.example.com:5432/sales", "hunter2"),
        Arguments.of("jdbc:mysql://root:s3cr3t@db:3306/sales?useSSL=true", "s3cr3t"),
        Arguments.of("jdbc:mysql://db:3306/sales?user=root&password=s3cr3t&useSSL=true", "s3cr3t"),
        Arguments.of("jdbc:sqlserver://db:1433;databaseName=sales;user=sa;password=s3cr3t;encrypt=true", "s3cr3t"),
        Arguments.of("jdbc:derby:memory:db;create=true;user=app;password=s3cr3t", "s3cr3t"),
        Arguments.of("jdbc:oracle:thin:scott/tiger@//db:1521/ORCL", "tiger"),
        Arguments.of("mongodb+srv://etl:m0ng0pw@cluster0.example.mongodb.net/sales?retryWrites=true", "m0ng0pw"),
        Arguments.of("redis://:r3d1s@cache:6379/0", "r3d1s"),
        Arguments.of("wasbs://container:st0rageKey==@acct.blob.core.windows.net/dir", "st0rageKey=="),
        Arguments.of("s3a://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI%2FK7MDENG%2FbPxRfiCYEXAMPLEKEY@bucket/path",
            "wJalrXUtnFEMI"),
        Arguments.of("s3a://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY@bucket/path",
            "K7MDENG"),
        Arguments.of(SPARK_JDBC_SAVE_PLAN, "hunter2"),
        Arguments.of("[password=hunter2, user=bob]", "hunter2"),
        Arguments.of(EVENT_HUBS_JAAS, "AbC+/12="),
        Arguments.of("abfss://data@acct.dfs.core.windows.net/in?sv=2022-11-02&ss=b&sig=AbC%2Bdef%3D&se=2030-01-01",
            "AbC%2Bdef%3D"),
        Arguments.of("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
            + "SharedAccessKey=abc123=;EntityPath=x", "abc123"),
        Arguments.of("fs.azure.account.key.acct.dfs.core.windows.net=dGhpcyBpcyBub3QgYSBrZXk=",
            "dGhpcyBpcyBub3QgYSBrZXk"),
        Arguments.of("{\"user\":\"bob\",\"password\":\"hunter2\"}", "hunter2"),
        Arguments.of("{\"options\":\"{\\\"password\\\":\\\"hunter2\\\"}\"}", "hunter2"),
        Arguments.of("password: hunter2", "hunter2"),
        Arguments.of("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln", "eyJhbGciOiJIUzI1NiJ9"),
        Arguments.of("Access denied for AKIAIOSFODNN7EXAMPLE on s3a://bucket/x", "AKIAIOSFODNN7EXAMPLE"),
        Arguments.of("Filter (isnotnull(password#12) AND (password#12 = hunter2))", "hunter2"));
  }

  @ParameterizedTest
  @MethodSource("secrets")
  void secretValueIsAbsentFromTheOutput(String text, String secret) {
    String redacted = REDACTOR.redact(text);

    assertFalse(redacted.contains(secret), redacted);
    assertTrue(redacted.contains(MASK), redacted);
  }

  @ParameterizedTest
  @MethodSource("secrets")
  void redactingTwiceChangesNothingMore(String text, String secret) {
    String once = REDACTOR.redact(text);
    String twice = REDACTOR.redact(once);

    assertEquals(once, twice);
    assertSame(once, twice);
  }

  @Test
  void masksPasswordInJdbcUrlUserInfoAndKeepsTheUser() {
    assertEquals("jdbc:postgresql://bob:" + MASK + "@db.example.com:5432/sales",
        REDACTOR.redact("jdbc:postgresql://bob:hunter2@db.example.com:5432/sales"));
  }

  @Test
  void masksUserInfoPasswordUpToTheLastAtSignOfTheAuthority() {
    assertEquals("jdbc:mysql://root:" + MASK + "@db:3306/sales",
        REDACTOR.redact("jdbc:mysql://root:p@ss@db:3306/sales"));
  }

  @Test
  void masksPasswordInJdbcQueryParameters() {
    assertEquals("jdbc:mysql://db:3306/sales?user=root&password=" + MASK + "&useSSL=true",
        REDACTOR.redact("jdbc:mysql://db:3306/sales?user=root&password=s3cr3t&useSSL=true"));
  }

  @Test
  void masksPasswordInSqlServerConnectionProperties() {
    assertEquals("jdbc:sqlserver://db:1433;databaseName=sales;user=sa;password=" + MASK + ";encrypt=true",
        REDACTOR.redact("jdbc:sqlserver://db:1433;databaseName=sales;user=sa;password=s3cr3t;encrypt=true"));
  }

  @Test
  void masksPasswordInDerbyUrl() {
    assertEquals("jdbc:derby:memory:db;create=true;user=app;password=" + MASK,
        REDACTOR.redact("jdbc:derby:memory:db;create=true;user=app;password=s3cr3t"));
  }

  @Test
  void masksPasswordInOracleThinUrl() {
    assertEquals("jdbc:oracle:thin:scott/" + MASK + "@//db:1521/ORCL",
        REDACTOR.redact("jdbc:oracle:thin:scott/tiger@//db:1521/ORCL"));
  }

  @Test
  void masksS3aSecretAndAccessKeyIdInUri() {
    assertEquals("s3a://" + MASK + ":" + MASK + "@bucket/path",
        REDACTOR.redact("s3a://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY@bucket/path"));
  }

  @Test
  void masksPasswordOfAnyUriScheme() {
    assertAll(
        () -> assertEquals("mongodb://etl:" + MASK + "@h1:27017,h2:27017/db",
            REDACTOR.redact("mongodb://etl:m0ng0pw@h1:27017,h2:27017/db")),
        () -> assertEquals("wasbs://container:" + MASK + "@acct.blob.core.windows.net/dir",
            REDACTOR.redact("wasbs://container:st0rageKey==@acct.blob.core.windows.net/dir")),
        () -> assertEquals("ftp://" + "anonymous:" + MASK + "@ftp.example.org/pub",
            REDACTOR.redact("ftp://anonymous:guest@ftp.example.org/pub")));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "wasbs://container@acct.blob.core.windows.net/dir/file.parquet",
      "https://bob@git.example.com/repo.git",
      "http://host:8080/users/bob@example.com",
      "hdfs://namenode:8020/user/etl@EXAMPLE.COM/out",
      "spark://master:7077",
      "jdbc:sqlserver://db:1433;databaseName=sales;user=etl@corp",
      "jdbc:oracle:thin:@//db:1521/ORCL",
      "file:///C:/Users/bob@corp/data.csv"})
  void leavesUriWithoutUserInfoPasswordUnchanged(String uri) {
    assertSame(uri, REDACTOR.redact(uri));
  }

  @Test
  void masksPasswordInSparkDataSourceOptionsMap() {
    assertEquals("SaveIntoDataSourceCommand "
        + "org.apache.spark.sql.execution.datasources.jdbc.JdbcRelationProvider@1a2b, "
        + "Map(url -> jdbc:postgresql://db:5432/x, dbtable -> t, user -> bob, password -> " + MASK + "), Overwrite",
        REDACTOR.redact(SPARK_JDBC_SAVE_PLAN));
  }

  @Test
  void masksValueWithItsOwnParenthesesInsideSparkMap() {
    assertEquals("Map(user -> bob, password -> " + MASK + ")",
        REDACTOR.redact("Map(user -> bob, password -> Some(hunter2))"));
  }

  @Test
  void leavesOptionsAlreadyRedactedBySparkUnchanged() {
    String text = "Map(url -> jdbc:postgresql://db:5432/x, user -> bob, password -> " + MASK + ")";

    assertSame(text, REDACTOR.redact(text));
  }

  @Test
  void masksPasswordInBracketedOptionList() {
    assertEquals("[password=" + MASK + ", user=bob]", REDACTOR.redact("[password=hunter2, user=bob]"));
  }

  @Test
  void masksQuotedJaasPasswordWholeAndKeepsLoginModuleAndUser() {
    assertEquals("org.apache.kafka.common.security.plain.PlainLoginModule required "
        + "username=\"$ConnectionString\" password=\"" + MASK + "\";", REDACTOR.redact(EVENT_HUBS_JAAS));
  }

  @Test
  void masksSingleQuotedValueIncludingSpaces() {
    assertEquals("ScramLoginModule required username='bob' password='" + MASK + "';",
        REDACTOR.redact("ScramLoginModule required username='bob' password='correct horse battery';"));
  }

  @Test
  void masksUnterminatedQuotedValueToTheEndOfTheLine() {
    assertEquals("password=\"" + MASK + "\nnext line", REDACTOR.redact("password=\"hunter 2 truncated...\nnext line"));
  }

  @Test
  void masksOnlyTheSignatureOfAnAzureSasUrl() {
    String redacted = REDACTOR.redact("https://acct.blob.core.windows.net/container/file.parquet"
        + "?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2030-01-01T00:00:00Z&sig=AbC%2Bdef%3D");

    assertEquals("https://acct.blob.core.windows.net/container/file.parquet"
        + "?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2030-01-01T00:00:00Z&sig=" + MASK, redacted);
  }

  @Test
  void masksSasSignatureInAbfssUrlFollowedByMoreParameters() {
    assertEquals("abfss://data@acct.dfs.core.windows.net/in?sv=2022-11-02&ss=b&sig=" + MASK + "&se=2030-01-01",
        REDACTOR.redact("abfss://data@acct.dfs.core.windows.net/in?sv=2022-11-02&ss=b&sig=AbC%2Bdef%3D&se=2030-01-01"));
  }

  @Test
  void masksSharedAccessKeyIncludingTrailingBase64Padding() {
    String redacted = REDACTOR.redact("Endpoint=sb://ns.servicebus.windows.net/;"
        + "SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=abc123=;EntityPath=x");

    // Spark's default key regex (access[.]?key) also hides SharedAccessKeyName's value; that is harmless.
    assertTrue(redacted.startsWith("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName="), redacted);
    assertTrue(redacted.endsWith(";SharedAccessKey=" + MASK + ";EntityPath=x"), redacted);
    assertFalse(redacted.contains("abc123"), redacted);
  }

  @Test
  void masksSharedAccessSignatureInConnectionString() {
    String redacted = REDACTOR.redact("Endpoint=sb://ns.servicebus.windows.net/;"
        + "SharedAccessSignature=SharedAccessSignature sr=ns&sig=Zm9vYmFy%3D&se=1700000000&skn=listen");

    assertFalse(redacted.contains("Zm9vYmFy"), redacted);
  }

  @Test
  void masksAzureAccountKeyProperty() {
    assertEquals("fs.azure.account.key.acct.dfs.core.windows.net=" + MASK,
        REDACTOR.redact("fs.azure.account.key.acct.dfs.core.windows.net=dGhpcyBpcyBub3QgYSBrZXk="));
  }

  @Test
  void masksAwsCredentialsFileEntries() {
    String redacted = REDACTOR.redact("[default]\n"
        + "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
        + "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
        + "region = eu-west-1\n");

    assertEquals("[default]\n"
        + "aws_access_key_id = " + MASK + "\n"
        + "aws_secret_access_key = " + MASK + "\n"
        + "region = eu-west-1\n", redacted);
  }

  @Test
  void masksSessionTokenInSparkConfLine() {
    assertEquals("--conf spark.hadoop.fs.s3a.session.token=" + MASK + " --conf spark.executor.memory=4g",
        REDACTOR.redact("--conf spark.hadoop.fs.s3a.session.token=FwoGZXIvYXdzEBYaDH+/x== "
            + "--conf spark.executor.memory=4g"));
  }

  @Test
  void masksAwsAccessKeyIdsAnywhere() {
    assertAll(
        () -> assertEquals("Access denied for " + MASK + " on s3a://bucket/x",
            REDACTOR.redact("Access denied for AKIAIOSFODNN7EXAMPLE on s3a://bucket/x")),
        () -> assertEquals("temporary id " + MASK + ".",
            REDACTOR.redact("temporary id ASIAY34FZKBOKMUTVV7A.")));
  }

  @Test
  void masksJsonValuesWithAndWithoutSpacesAroundTheColon() {
    assertAll(
        () -> assertEquals("{\"user\":\"bob\",\"password\":\"" + MASK + "\"}",
            REDACTOR.redact("{\"user\":\"bob\",\"password\":\"hunter2\"}")),
        () -> assertEquals("{\"user\" : \"bob\", \"password\" : \"" + MASK + "\"}",
            REDACTOR.redact("{\"user\" : \"bob\", \"password\" : \"hunter 2\"}")),
        () -> assertEquals("{'client_secret': '" + MASK + "'}",
            REDACTOR.redact("{'client_secret': 'abc def'}")));
  }

  @Test
  void masksJsonNestedInAJsonString() {
    assertEquals("{\"options\":\"{\\\"password\\\":\\\"" + MASK + "\\\"}\"}",
        REDACTOR.redact("{\"options\":\"{\\\"password\\\":\\\"hunter2\\\"}\"}"));
  }

  @Test
  void masksSecretPairsInsideAQuotedBenignValue() {
    assertEquals("connectionString=\"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKey=" + MASK + "\"",
        REDACTOR.redact("connectionString=\"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKey=abc=\""));
  }

  @Test
  void masksYamlAndLogStylePairs() {
    assertAll(
        () -> assertEquals("password: " + MASK, REDACTOR.redact("password: hunter2")),
        () -> assertEquals("refreshing token: " + MASK + " for bob",
            REDACTOR.redact("refreshing token: abc123 for bob")));
  }

  @Test
  void masksBearerCredentialButKeepsTheScheme() {
    assertEquals("Authorization: Bearer " + MASK,
        REDACTOR.redact("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln"));
  }

  @Test
  void masksLiteralComparedWithASecretColumnInAPlan() {
    assertEquals("Filter (isnotnull(password#12) AND (password#12 = " + MASK + "))",
        REDACTOR.redact("Filter (isnotnull(password#12) AND (password#12 = hunter2))"));
  }

  @Test
  void masksPasswordInExceptionMessage() {
    String message = "java.sql.SQLException: No suitable driver found for "
        + "jdbc:postgresql://etl:hunter2@db:5432/sales?ssl=true&sslpassword=k3yp4ss";

    String redacted = REDACTOR.redact(message);

    assertEquals("java.sql.SQLException: No suitable driver found for "
        + "jdbc:postgresql://etl:" + MASK + "@db:5432/sales?ssl=true&sslpassword=" + MASK, redacted);
  }

  @Test
  void leavesTypicalSparkPlanUnchanged() {
    assertSame(BENIGN_PLAN, REDACTOR.redact(BENIGN_PLAN));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "Project [id#1L, primaryKey#2]",
      "keyspace=ks",
      "primaryKey=id, partitionKeys=[a, b], sortKey=ts, monkey=banana, author=jane",
      "sasl.mechanism=PLAIN, security.protocol=SASL_SSL",
      "spark.authenticate=true, hadoop.security.authentication=kerberos",
      "fs.s3a.aws.credentials.provider=org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
      "fs.azure.account.auth.type=OAuth",
      "spark.io.encryption.keySizeBits=128",
      "PSQLException: FATAL: password authentication failed for user \"bob\"",
      "Relation [id#1L,sig#2,auth_mode#3] parquet",
      "12:30:00 INFO SparkContext: Running Spark version 3.5.1",
      "ASIA_PACIFIC_SALES_REGION",
      ""})
  void leavesBenignTextUnchanged(String text) {
    assertSame(text, REDACTOR.redact(text));
  }

  @Test
  void returnsNullForNull() {
    assertNull(REDACTOR.redact(null));
    assertNull(REDACTOR.redactValue("password", null));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "password",
      "ssl.truststore.password",
      "spark.ssl.keyPassword",
      "db.passwd",
      "ODBC_PWD",
      "client_secret",
      "fs.s3a.secret.key",
      "fs.s3a.access.key",
      "aws_secret_access_key",
      "aws_access_key_id",
      "accessKeyId",
      "spark.hadoop.fs.s3a.session.token",
      "azure.credential",
      "x-api-key",
      "apiKey",
      "service.api_key",
      "private_key",
      "ssl.keystore.key",
      "fs.s3a.encryption.key",
      "fs.azure.account.key.acct.dfs.core.windows.net",
      "fs.azure.account.key.acct.blob.core.windows.net",
      "fs.azure.sas.container.acct",
      "SASToken",
      "SharedAccessKey",
      "SharedAccessSignature",
      "sig",
      "X-Amz-Signature",
      "basic.auth.user.info",
      "Authorization"})
  void recognisesSecretKeys(String key) {
    assertTrue(REDACTOR.isSecretKey(key), key);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "primaryKey",
      "keyspace",
      "partitionKeys",
      "monkey",
      "sortKey",
      "author",
      "sasl.mechanism",
      "spark.authenticate",
      "signal",
      "design",
      "fs.azure.account.keyprovider.acct.dfs.core.windows.net",
      "spark.io.encryption.keySizeBits",
      "url",
      "user",
      "dbtable"})
  void doesNotTreatBenignKeysAsSecret(String key) {
    assertFalse(REDACTOR.isSecretKey(key), key);
  }

  @Test
  void treatsNullOrEmptyKeyAsNotSecret() {
    assertFalse(REDACTOR.isSecretKey(null));
    assertFalse(REDACTOR.isSecretKey(""));
  }

  @Test
  void redactValueMasksWholeValueOfSecretKey() {
    assertEquals(MASK, REDACTOR.redactValue("spark.hadoop.fs.s3a.secret.key", "wJalr XUtn"));
    assertEquals("", REDACTOR.redactValue("spark.hadoop.fs.s3a.secret.key", ""));
  }

  @Test
  void redactValueRedactsTextOfOrdinaryKey() {
    String url = "jdbc:postgresql://db:5432/sales";

    assertSame(url, REDACTOR.redactValue("url", url));
    assertEquals("jdbc:postgresql://db:5432/sales?password=" + MASK,
        REDACTOR.redactValue("url", "jdbc:postgresql://db:5432/sales?password=hunter2"));
    assertEquals("PlainLoginModule required username=\"bob\" password=\"" + MASK + "\";",
        REDACTOR.redactValue("sasl.jaas.config", "PlainLoginModule required username=\"bob\" password=\"x y\";"));
    assertEquals("s3a://bucket/x", REDACTOR.redactValue(null, "s3a://bucket/x"));
  }

  // ------------------------------------------------------------------------------------------ configuration values
  // The agent's one masker also masks configuration values (what config.SecretMasker did, with its own mask).

  private static final String EVENT_HUBS_JAAS_WITH_KEY = "org.apache.kafka.common.security.plain.PlainLoginModule "
      + "required username=\"$ConnectionString\" password=\"Endpoint=sb://x.servicebus.windows.net/;"
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
      "ssl.private",
      "privateLinkSecretId",
      "service.apikey",
      "service.api.key"})
  void redactValueMasksTheWholeValueOfASecretLookingConfigKey(String key) {
    assertEquals(MASK, REDACTOR.redactValue(key, "s3cr3t-value"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "bootstrap.servers",
      "security.protocol",
      "atlas.notification.hook.topic.name",
      "atlas.metadata.namespace",
      "ssl.truststore.location",
      "client.id"})
  void redactValueShowsTheValueOfAnOrdinaryConfigKeyUnchanged(String key) {
    assertEquals("some-value", REDACTOR.redactValue(key, "some-value"));
  }

  @Test
  void redactValueKeepsNullForAConfigKey() {
    assertNull(REDACTOR.redactValue("ssl.key.password", null));
    assertNull(REDACTOR.redactValue("sasl.jaas.config", null));
  }

  @Test
  void eventHubsJaasConfigKeepsLoginModuleAndUserButMasksTheConnectionString() {
    String masked = REDACTOR.redactValue("sasl.jaas.config", EVENT_HUBS_JAAS_WITH_KEY);

    assertEquals("org.apache.kafka.common.security.plain.PlainLoginModule required "
        + "username=\"$ConnectionString\" password=\"" + MASK + "\";", masked);
  }

  @Test
  void jaasConfigIsRecognisedUnderItsPrefixedKeyNames() {
    for (String key : new String[] {"atlas.kafka.sasl.jaas.config", "spark.atlas.kafka.sasl.jaas.config",
        "listener.name.sasl_ssl.plain.sasl.jaas.config"}) {
      String masked = REDACTOR.redactValue(key, EVENT_HUBS_JAAS_WITH_KEY);
      assertFalse(masked.contains("SECRET123"), key + ": " + masked);
      assertTrue(masked.contains("username=\"$ConnectionString\""), key + ": " + masked);
      assertTrue(masked.contains("PlainLoginModule required"), key + ": " + masked);
    }
  }

  @Test
  void unquotedJaasPasswordIsMaskedUpToTheNextSeparator() {
    String masked = REDACTOR.redactValue("sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required username=alice password=hunter2;");

    assertEquals("org.apache.kafka.common.security.plain.PlainLoginModule required username=alice password=\""
        + MASK + "\";", masked);
  }

  @Test
  void unquotedJaasPasswordWithACommaIsMaskedWhole() {
    String masked = REDACTOR.redactValue("sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=bob password=hun,ter)2;");

    assertEquals("org.apache.kafka.common.security.scram.ScramLoginModule required username=bob password=\""
        + MASK + "\";", masked);
  }

  @Test
  void quotedJaasPasswordWithEscapedQuotesIsMaskedWhole() {
    String masked = REDACTOR.redactValue("sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"bob\" "
            + "password=\"pa\\\"ss word;still-secret\";");

    assertFalse(masked.contains("ss word"), masked);
    assertFalse(masked.contains("still-secret"), masked);
    assertTrue(masked.contains("username=\"bob\""), masked);
    assertTrue(masked.endsWith("password=\"" + MASK + "\";"), masked);
  }

  @Test
  void everySecretOptionOfAJaasConfigIsMaskedCaseInsensitively() {
    String masked = REDACTOR.redactValue("sasl.jaas.config", "com.example.LoginModule required user=\"u\" "
        + "Password = \"p1\" clientSecret=\"ignored-name\" secret=\"s2\" token=t3 key=\"k4\";");

    for (String secret : new String[] {"p1", "s2", "t3", "k4"}) {
      assertFalse(masked.contains("\"" + secret + "\"") || masked.contains("=" + secret), secret + ": " + masked);
    }
    assertTrue(masked.contains("user=\"u\""), masked);
  }

  @Test
  void jaasWithoutSecretsIsUnchanged() {
    String kerberos = "com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true "
        + "keyTab=\"/etc/security/keytabs/spark.keytab\" principal=\"spark@EXAMPLE.COM\";";

    assertEquals(kerberos, REDACTOR.redactValue("sasl.jaas.config", kerberos));
  }

  @Test
  void dollarAndBackslashInAJaasSecretDoNotBreakMasking() {
    String masked = REDACTOR.redactValue("sasl.jaas.config", "x required password=\"a$1\\\\b\";");

    assertEquals("x required password=\"" + MASK + "\";", masked);
  }

  @Test
  void jaasMaskingIsIdempotent() {
    String once = REDACTOR.redactValue("sasl.jaas.config", EVENT_HUBS_JAAS_WITH_KEY + " token=t3 key=k4");

    assertEquals(once, REDACTOR.redactValue("sasl.jaas.config", once));
  }

  @Test
  void jaasConfigValueAlsoGetsTheUsersRules() {
    Redactor redactor = Redactor.of(null, null, "corp-user-[0-9]+");

    assertEquals("x required username=\"" + MASK + "\" password=\"" + MASK + "\";",
        redactor.redactValue("sasl.jaas.config", "x required username=\"corp-user-42\" password=\"p\";"));
  }

  @Test
  void redactorForSparkConfReadsSparksRedactionSettingsAndTheAgentRegex() {
    Redactor redactor = Redactor.fromSparkConf(java.util.Map.of(
        "spark.redaction.regex", "(?i)hushword",
        "spark.sql.redaction.string.regex", "SECRET_J[0-9]+"), "SECRET_K[0-9]+");

    assertEquals("hushword=" + MASK + " " + MASK + " " + MASK,
        redactor.redact("hushword=abc SECRET_J12 SECRET_K34"));
    assertEquals("a " + MASK, Redactor.fromSparkConf(java.util.Map.of("spark.redaction.string.regex", "b+"), null)
        .redact("a bbb"));
  }

  @Test
  void redactorForConfigErrorsLeavesOutOnlyTheInvalidSetting() {
    Redactor redactor = Redactor.forConfigErrors(java.util.Map.of(
        "spark.redaction.regex", "(?i)hush(",
        "spark.sql.redaction.string.regex", "SECRET_J[0-9]+"), "[invalid");

    assertEquals("password=" + MASK + " " + MASK, redactor.redact("password=abc SECRET_J12"));
  }

  @Test
  void invalidRegexErrorDoesNotQuoteThePattern() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> Redactor.of(null, null, "hunter2|(s3cr3t"));

    assertFalse(error.getMessage().contains("hunter2"), error.getMessage());
    assertTrue(error.getMessage().contains("atlas.spark.redaction.regex"), error.getMessage());
  }

  @Test
  void appliesSparkKeyRegexToPairsInText() {
    Redactor redactor = Redactor.of("(?i)secret|password|token|mycorp_hush", null, null);

    assertEquals("mycorp_hush=" + MASK + ", other=1", redactor.redact("mycorp_hush=abc, other=1"));
    assertEquals("Map(mycorp_hush -> " + MASK + ")", redactor.redact("Map(mycorp_hush -> abc)"));
    assertTrue(redactor.isSecretKey("spark.mycorp_hush.value"));
    assertEquals(MASK, redactor.redactValue("MYCORP_HUSH", "abc"));
  }

  @Test
  void keepsBuiltInRulesWhenSparkKeyRegexIsCustom() {
    Redactor redactor = Redactor.of("mycorp_hush", null, null);

    assertEquals("sig=" + MASK, redactor.redact("sig=abc"));
    assertEquals("jdbc:postgresql://bob:" + MASK + "@db/x", redactor.redact("jdbc:postgresql://bob:hunter2@db/x"));
  }

  @Test
  void usesSparkDefaultKeyRegexWhenUnset() {
    // The built-in rules leave a key ending in ".file" alone; Spark's own default still masks "secret".
    for (Redactor redactor : List.of(Redactor.defaults(), Redactor.of(null, null, null), Redactor.of("", "", ""))) {
      assertTrue(redactor.isSecretKey("spark.authenticate.secret.file"));
    }
    assertFalse(Redactor.of("mycorp_hush", null, null).isSecretKey("spark.authenticate.secret.file"));
  }

  @Test
  void masksEveryMatchOfSparkStringRegex() {
    Redactor redactor = Redactor.of(null, "(?i)dbuser_[a-z0-9]+", null);

    assertEquals("SELECT * FROM t WHERE owner = '" + MASK + "' OR owner = '" + MASK + "'",
        redactor.redact("SELECT * FROM t WHERE owner = 'dbuser_alice' OR owner = 'DBUSER_bob'"));
  }

  @Test
  void masksEveryMatchOfAgentExtraRegex() {
    Redactor redactor = Redactor.of(null, null, "ssn=\\d{3}-\\d{2}-\\d{4}");

    assertEquals("a " + MASK + " b " + MASK, redactor.redact("a ssn=123-45-6789 b ssn=987-65-4321"));
  }

  @Test
  void appliesStringRegexAndExtraRegexTogetherIdempotently() {
    Redactor redactor = Redactor.of(null, "jdbc:[^\\s,)]*", "hunter\\d");

    String once = redactor.redact("Map(url -> jdbc:postgresql://bob:pw@db:5432/x, note -> hunter2)");

    assertEquals("Map(url -> " + MASK + ", note -> " + MASK + ")", once);
    assertSame(once, redactor.redact(once));
  }

  @Test
  void ignoresUserRegexMatchesInsideAnExistingMaskOrOfZeroLength() {
    Redactor redactor = Redactor.of(null, "redacted", "x*");
    String text = "password -> " + MASK;

    assertSame(text, redactor.redact(text));
  }

  @Test
  void rejectsInvalidRegexNamingTheSetting() {
    IllegalArgumentException key = assertThrows(IllegalArgumentException.class,
        () -> Redactor.of("(?i)secret|(", null, null));
    IllegalArgumentException string = assertThrows(IllegalArgumentException.class,
        () -> Redactor.of(null, "[unclosed", null));
    IllegalArgumentException extra = assertThrows(IllegalArgumentException.class,
        () -> Redactor.of(null, null, "*oops"));

    assertTrue(key.getMessage().contains("spark.redaction.regex"), key.getMessage());
    assertTrue(string.getMessage().contains("spark.sql.redaction.string.regex"), string.getMessage());
    assertTrue(extra.getMessage().contains("atlas.spark.redaction.regex"), extra.getMessage());
  }

  @Test
  void redactsLargeInputsWithoutCatastrophicBacktracking() {
    List<String> inputs = new ArrayList<>();
    inputs.add(repeat(BENIGN_PLAN + "\n" + SPARK_JDBC_SAVE_PLAN + "\n", 2_000_000));
    inputs.add(repeat("a", 2_000_000));
    inputs.add(repeat("a=\"", 2_000_000));
    inputs.add(repeat("password=\"", 2_000_000));
    inputs.add(repeat("password=", 2_000_000));
    inputs.add(repeat("://a:b", 2_000_000));
    inputs.add(repeat("://a:b/", 2_000_000));
    inputs.add("x://u:" + repeat("p", 2_000_000));
    inputs.add("key" + repeat(" ", 2_000_000) + "x");
    inputs.add(repeat("a.b-c_d", 2_000_000));
    inputs.add(repeat("AKIA", 2_000_000));
    inputs.add(repeat("\\\"", 2_000_000));
    inputs.add(repeat("jdbc:oracle:thin:a", 2_000_000));
    inputs.add("password=" + repeat("(", 2_000_000));
    inputs.add(repeat("a -> ", 2_000_000));
    inputs.add(repeat("1", 2_000_000) + repeat("=", 2_000_000));

    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      for (String input : inputs) {
        String redacted = REDACTOR.redact(input);
        assertFalse(redacted.contains("hunter2"));
      }
    });
  }

  @Test
  void isSafeToShareBetweenThreads() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        results.add(pool.submit(() -> REDACTOR.redact(SPARK_JDBC_SAVE_PLAN + " " + EVENT_HUBS_JAAS)));
      }
      String expected = REDACTOR.redact(SPARK_JDBC_SAVE_PLAN + " " + EVENT_HUBS_JAAS);
      for (Future<String> result : results) {
        assertEquals(expected, result.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void kafkaSourceAndSinkOptionsPrintedInAPlanLoseTheirCredentials() {
    // How SaveIntoDataSourceCommand and a Kafka relation's options print when Spark's own key regex misses them.
    String plan = "SaveIntoDataSourceCommand org.apache.spark.sql.kafka010.KafkaSourceProvider@1, "
        + "Map(kafka.sasl.jaas.config -> org.apache.kafka.common.security.scram.ScramLoginModule required "
        + "username=\"etl\" password=\"jaas-s3cret\";, kafka.ssl.truststore.password -> trust-s3cret, "
        + "kafka.ssl.keystore.password -> keystore-s3cret, kafka.ssl.key.password -> key-s3cret, "
        + "kafka.sasl.jaas.config -> org.apache.kafka.common.security.plain.PlainLoginModule required "
        + "username=etl password=unquoted-s3cret;, kafka.bootstrap.servers -> b1:9092, topic -> audit), Append";
    String redacted = REDACTOR.redact(plan);
    for (String secret : new String[] {"jaas-s3cret", "trust-s3cret", "keystore-s3cret", "key-s3cret",
        "unquoted-s3cret"}) {
      assertFalse(redacted.contains(secret), secret + " in " + redacted);
    }
    assertTrue(redacted.contains("kafka.bootstrap.servers -> b1:9092, topic -> audit"), redacted);
  }

  /** Repeats {@code unit} until the text is about {@code length} characters long. */
  private static String repeat(String unit, int length) {
    return unit.repeat(Math.max(1, length / unit.length()));
  }
}
