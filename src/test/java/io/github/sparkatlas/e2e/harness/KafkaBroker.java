package io.github.sparkatlas.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A real single-node KRaft Kafka broker in its own JVM, standing in for Atlas' Kafka and for Azure Event Hubs'
 * Kafka endpoint. Listeners, all on 127.0.0.1:
 * <ul>
 *   <li>PLAINTEXT: inter-broker traffic and the test's own admin/consumer clients;</li>
 *   <li>SASL_SSL, PLAIN, user {@code $ConnectionString}: what Purview users configure (FIELD-NOTES §2, §5);</li>
 *   <li>CONTROLLER: the KRaft quorum of this one node.</li>
 * </ul>
 * Files (server.properties, TLS stores, data, broker.log) stay in the work directory after {@link #close()}.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final String SASL_USER = "$ConnectionString";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path workDir;
    private final String classpath;
    private final Path serverProperties;
    private final Path log;
    private final int plaintextPort;
    private final int saslSslPort;
    private final String saslPassword;
    private final Path truststore;
    private final String truststorePassword;
    private Process process;

    private KafkaBroker(Path workDir, String classpath, int plaintextPort, int saslSslPort,
                        String saslPassword, Path truststore, String truststorePassword) {
        this.workDir = workDir;
        this.classpath = classpath;
        this.serverProperties = workDir.resolve("server.properties");
        this.log = workDir.resolve("broker.log");
        this.plaintextPort = plaintextPort;
        this.saslSslPort = saslSslPort;
        this.saslPassword = saslPassword;
        this.truststore = truststore;
        this.truststorePassword = truststorePassword;
    }

    public static KafkaBroker start(Path workDir) {
        return start(workDir, Map.of());
    }

    /**
     * @param workDir               must not hold a previous broker's data
     * @param extraServerProperties added to (or replacing) the generated server.properties, e.g. a smaller
     *                              {@code message.max.bytes} to mimic Event Hubs
     */
    public static KafkaBroker start(Path workDir, Map<String, String> extraServerProperties) {
        workDir = workDir.toAbsolutePath();
        Path dataDir = workDir.resolve("data");
        if (Files.exists(dataDir)) {
            throw new IllegalStateException("work dir already holds broker data: " + dataDir);
        }
        String classpath = RuntimeClasspath.resolve("kafka-broker",
                Map.of("kafka.version", System.getProperty("kafka.version", "3.9.2")));
        Path tlsDir = createDirectories(workDir.resolve("tls"));
        String keystorePassword = randomSecret();
        String truststorePassword = randomSecret();
        Path keystore = tlsDir.resolve("broker.p12");
        Path truststore = tlsDir.resolve("truststore.p12");
        generateTls(tlsDir, keystore, keystorePassword, truststore, truststorePassword);

        int[] ports = freePorts(3);
        KafkaBroker broker = new KafkaBroker(workDir, classpath, ports[0], ports[1], randomSecret(),
                truststore, truststorePassword);
        int controllerPort = ports[2];

        Map<String, String> server = broker.serverConfig(controllerPort, dataDir, keystore, keystorePassword);
        server.putAll(extraServerProperties);
        writeProperties(broker.serverProperties, server);

        ChildProcesses.runToCompletion(List.of(ChildProcesses.javaTool("java").toString(), "-Xmx256m",
                        "-cp", classpath, "kafka.tools.StorageTool", "format",
                        "-t", Uuid.randomUuid().toString(), "-c", broker.serverProperties.toString()),
                workDir, workDir.resolve("format.log"), Duration.ofMinutes(2));
        broker.launch();
        return broker;
    }

    /** Combined broker+controller; PLAINTEXT also carries inter-broker traffic, SASL_SSL serves the agent. */
    private Map<String, String> serverConfig(int controllerPort, Path dataDir, Path keystore, String keystorePassword) {
        Map<String, String> server = new LinkedHashMap<>();
        server.put("process.roles", "broker,controller");
        server.put("node.id", "1");
        server.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        server.put("controller.listener.names", "CONTROLLER");
        server.put("listeners", "PLAINTEXT://127.0.0.1:" + plaintextPort
                + ",SASL_SSL://127.0.0.1:" + saslSslPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        server.put("advertised.listeners",
                "PLAINTEXT://" + plaintextBootstrap() + ",SASL_SSL://" + saslSslBootstrap());
        server.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
        server.put("inter.broker.listener.name", "PLAINTEXT");
        server.put("sasl.enabled.mechanisms", "PLAIN");
        server.put("listener.name.sasl_ssl.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required user_" + SASL_USER
                        + "=\"" + saslPassword + "\";");
        server.put("ssl.keystore.type", "PKCS12");
        server.put("ssl.keystore.location", keystore.toString());
        server.put("ssl.keystore.password", keystorePassword);
        server.put("ssl.key.password", keystorePassword);
        server.put("log.dirs", dataDir.toString());
        // Event Hubs does not auto-create topics either: a wrong topic name must fail visibly.
        server.put("auto.create.topics.enable", "false");
        server.put("num.partitions", "1");
        server.put("offsets.topic.replication.factor", "1");
        server.put("offsets.topic.num.partitions", "1");
        server.put("transaction.state.log.replication.factor", "1");
        server.put("transaction.state.log.min.isr", "1");
        server.put("transaction.state.log.num.partitions", "1");
        server.put("group.initial.rebalance.delay.ms", "0");
        return server;
    }

    public String plaintextBootstrap() {
        return "127.0.0.1:" + plaintextPort;
    }

    public String saslSslBootstrap() {
        return "127.0.0.1:" + saslSslPort;
    }

    public String saslPassword() {
        return saslPassword;
    }

    public Path truststorePath() {
        return truststore;
    }

    public String truststorePassword() {
        return truststorePassword;
    }

    public Path workDir() {
        return workDir;
    }

    public Path logFile() {
        return log;
    }

    /** Exactly the client settings a Purview / Event Hubs user writes, pointed at this broker's SASL_SSL listener. */
    public Map<String, String> saslSslClientProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("bootstrap.servers", saslSslBootstrap());
        props.put("security.protocol", "SASL_SSL");
        props.put("sasl.mechanism", "PLAIN");
        props.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                + SASL_USER + "\" password=\"" + saslPassword + "\";");
        props.put("ssl.truststore.location", truststore.toString());
        props.put("ssl.truststore.password", truststorePassword);
        props.put("ssl.truststore.type", "PKCS12");
        return Collections.unmodifiableMap(props);
    }

    /** Creates the topic (replication 1) and returns once every partition has a leader, so producers need no retry. */
    public void createTopic(String name, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
            Instant deadline = Instant.now().plusSeconds(30);
            while (true) {
                TopicDescription topic;
                try {
                    topic = admin.describeTopics(List.of(name)).allTopicNames().get(30, TimeUnit.SECONDS).get(name);
                } catch (ExecutionException e) {
                    // Right after creation the broker may not know the topic's metadata yet (seen when several
                    // topics are created in a row): ask again until the deadline.
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || Instant.now().isAfter(deadline)) {
                        throw e;
                    }
                    waitForExit(Duration.ofMillis(100));
                    continue;
                }
                if (topic.partitions().size() == partitions
                        && topic.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("topic " + name + " has no leader after 30s: " + topic);
                }
                waitForExit(Duration.ofMillis(100));
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topic " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads the topic from the beginning over PLAINTEXT, with a fresh consumer outside any group, until at least
     * {@code minRecords} were read and the consumer has caught up with the end of every partition, or until the
     * timeout. Never fails for too few records: returns whatever was read, for the test to assert on.
     */
    public List<ConsumedRecord> consumeAll(String topic, int minRecords, Duration timeout) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, plaintextBootstrap());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Instant deadline = Instant.now().plus(timeout);
        List<ConsumedRecord> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = awaitPartitions(consumer, topic, deadline);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    records.add(new ConsumedRecord(utf8(r.key()), utf8(r.value()), r.partition(), r.offset(),
                            r.serializedValueSize()));
                }
                if (records.size() >= minRecords && caughtUp(consumer, partitions)) {
                    break;
                }
            }
        }
        return records;
    }

    /** Stops the broker (SIGTERM, then SIGKILL after 15 s) and waits for it; data and ports are kept for restart(). */
    public synchronized void stop() {
        if (process != null) {
            ChildProcesses.kill(process, STOP_GRACE);
            process = null;
        }
    }

    /** Stops the broker if running and starts it again on the same ports and data. */
    public synchronized void restart() {
        stop();
        launch();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        stop();
    }

    private synchronized void launch() {
        appendToLog("==== starting broker at " + Instant.now() + " ====");
        process = ChildProcesses.start(new ProcessBuilder(ChildProcesses.javaTool("java").toString(),
                "-Xmx512m", "-Djava.awt.headless=true",
                // Timestamps, to line the broker log up with the driver log when a delivery test fails.
                "-Dorg.slf4j.simpleLogger.showDateTime=true", "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
                "-cp", classpath, "kafka.Kafka", serverProperties.toString())
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(log.toFile())));
        awaitReady();
    }

    /** Polls describeCluster on PLAINTEXT until the broker lists itself; fails fast if the broker JVM exits. */
    private void awaitReady() {
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        Throwable lastError = null;
        try (Admin admin = admin()) {
            while (true) {
                try {
                    if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes().get().isEmpty()) {
                        return;
                    }
                } catch (ExecutionException e) {
                    lastError = e.getCause();
                }
                if (!process.isAlive()) {
                    throw startFailure("broker exited with code " + process.exitValue(), lastError);
                }
                if (Instant.now().isAfter(deadline)) {
                    stop();
                    throw startFailure("broker not ready within " + READY_TIMEOUT, lastError);
                }
                waitForExit(Duration.ofMillis(100));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
            throw new IllegalStateException(e);
        }
    }

    /** The root cause usually sits above the shutdown noise at the end of the log, so errors are listed first. */
    private IllegalStateException startFailure(String reason, Throwable cause) {
        String errors = ChildProcesses.read(log).lines()
                .filter(line -> line.contains(" ERROR ") || line.contains(" FATAL ") || line.startsWith("Caused by:"))
                .limit(20)
                .collect(Collectors.joining("\n"));
        return new IllegalStateException(reason + "\n--- errors in " + log + " ---\n" + errors
                + "\n--- tail ---\n" + ChildProcesses.tail(log, 40), cause);
    }

    /** Short timeouts: the admin client only talks to a local broker, and readiness polling wants quick answers. */
    private Admin admin() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, plaintextBootstrap());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        return Admin.create(config);
    }

    /** A backoff between polls that ends early if the broker dies. */
    private void waitForExit(Duration max) throws InterruptedException {
        Process p = process;
        if (p != null) {
            p.waitFor(max.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static List<TopicPartition> awaitPartitions(KafkaConsumer<?, ?> consumer, String topic, Instant deadline) {
        while (true) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (!infos.isEmpty()) {
                return infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
        }
    }

    private static boolean caughtUp(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        return partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p));
    }

    /** Broker keystore with SAN localhost/127.0.0.1 (clients verify the host name) and a truststore with its cert. */
    private static void generateTls(Path dir, Path keystore, String keystorePassword,
                                    Path truststore, String truststorePassword) {
        String keytool = ChildProcesses.javaTool("keytool").toString();
        Path cert = dir.resolve("broker.crt");
        Duration timeout = Duration.ofMinutes(1);
        ChildProcesses.runToCompletion(List.of(keytool, "-genkeypair", "-alias", "broker",
                "-keyalg", "RSA", "-keysize", "2048", "-validity", "30", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", keystorePassword, "-keypass", keystorePassword),
                dir, dir.resolve("keytool.log"), timeout);
        ChildProcesses.runToCompletion(List.of(keytool, "-exportcert", "-rfc", "-alias", "broker",
                "-keystore", keystore.toString(), "-storepass", keystorePassword, "-file", cert.toString()),
                dir, dir.resolve("keytool.log"), timeout);
        ChildProcesses.runToCompletion(List.of(keytool, "-importcert", "-noprompt", "-alias", "broker",
                "-file", cert.toString(), "-storetype", "PKCS12", "-keystore", truststore.toString(),
                "-storepass", truststorePassword), dir, dir.resolve("keytool.log"), timeout);
    }

    /**
     * A PKCS12 truststore in {@code dir} holding only the certificate of a fresh self-signed key: valid in itself,
     * but not trusting this (or any) broker, as when a user points the client at the wrong truststore.
     */
    public static Path truststoreOfAnotherCertificate(Path dir, String password) {
        Path tlsDir = createDirectories(dir.toAbsolutePath());
        String keytool = ChildProcesses.javaTool("keytool").toString();
        String keyPassword = randomSecret();
        Path keystore = tlsDir.resolve("other.p12");
        Path cert = tlsDir.resolve("other.crt");
        Path truststore = tlsDir.resolve("other-truststore.p12");
        Duration timeout = Duration.ofMinutes(1);
        ChildProcesses.runToCompletion(List.of(keytool, "-genkeypair", "-alias", "other",
                "-keyalg", "RSA", "-keysize", "2048", "-validity", "30", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", keyPassword, "-keypass", keyPassword),
                tlsDir, tlsDir.resolve("keytool.log"), timeout);
        ChildProcesses.runToCompletion(List.of(keytool, "-exportcert", "-rfc", "-alias", "other",
                "-keystore", keystore.toString(), "-storepass", keyPassword, "-file", cert.toString()),
                tlsDir, tlsDir.resolve("keytool.log"), timeout);
        ChildProcesses.runToCompletion(List.of(keytool, "-importcert", "-noprompt", "-alias", "other",
                "-file", cert.toString(), "-storetype", "PKCS12", "-keystore", truststore.toString(),
                "-storepass", password), tlsDir, tlsDir.resolve("keytool.log"), timeout);
        return truststore;
    }

    /** Ports the OS hands out now; held open together so the three differ. */
    private static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // nothing to do: the port is free either way
                }
            }
        }
    }

    /** Hex only: safe inside JAAS quotes and properties files. */
    private static String randomSecret() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String utf8(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** Plain key=value lines (no escaping needed for these values), readable when debugging a failed run. */
    private static void writeProperties(Path file, Map<String, String> properties) {
        StringBuilder text = new StringBuilder();
        properties.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void appendToLog(String line) {
        try {
            Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
