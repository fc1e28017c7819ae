package io.github.sparkatlas.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.SparkSubmitRun;

/** The agent set up as in production for the benchmarks: spark.extraListeners, Kafka over SASL_SSL/PLAIN. */
final class BenchAgent {

    static final String LISTENER = "io.github.sparkatlas.SparkAtlasListener";
    static final String TOPIC = "ATLAS_HOOK";

    private static final Pattern SUMMARY = Pattern.compile("spark-atlas-agent summary at application end: "
            + "captured=(\\d+), messages=(\\d+), sent=(\\d+), .*dropped executions=(\\d+), .*internal errors=(\\d+), "
            + ".*listener thread per SQL execution end: p50=([\\d.]+)ms p99=([\\d.]+)ms max=([\\d.]+)ms \\(n=(\\d+)\\), "
            + "per start: p50=([\\d.]+)ms p99=([\\d.]+)ms max=([\\d.]+)ms \\(n=(\\d+)\\)");

    private BenchAgent() {
    }

    /** Adds the agent to {@code run}, with an atlas-application.properties in {@code runDir} (its working dir). */
    static SparkSubmitRun attach(SparkSubmitRun run, Path runDir, KafkaBroker broker) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("atlas.kafka.bootstrap.servers", broker.saslSslBootstrap());
        props.put("atlas.kafka.security.protocol", "SASL_SSL");
        props.put("atlas.kafka.sasl.mechanism", "PLAIN");
        props.put("atlas.kafka.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                + "username=\"$ConnectionString\" password=\"" + broker.saslPassword() + "\";");
        props.put("atlas.kafka.ssl.truststore.location", broker.truststorePath().toString());
        props.put("atlas.kafka.ssl.truststore.password", broker.truststorePassword());
        props.put("atlas.kafka.ssl.truststore.type", "PKCS12");
        props.put("atlas.metadata.namespace", "bench");
        StringBuilder text = new StringBuilder();
        props.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        try {
            Files.createDirectories(runDir);
            Files.writeString(runDir.resolve("atlas-application.properties"), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return run.workingDir(runDir).conf("spark.extraListeners", LISTENER);
    }

    /** The agent's application-end summary line, parsed. */
    record Summary(long captured, long messages, long sent, long droppedExecutions, long internalErrors,
                   double endP50, double endP99, double endMax, long endCount,
                   double startP50, double startP99, double startMax, long startCount) {

        static Optional<Summary> in(String log) {
            Matcher m = SUMMARY.matcher(log);
            if (!m.find()) {
                return Optional.empty();
            }
            return Optional.of(new Summary(l(m, 1), l(m, 2), l(m, 3), l(m, 4), l(m, 5),
                    d(m, 6), d(m, 7), d(m, 8), l(m, 9), d(m, 10), d(m, 11), d(m, 12), l(m, 13)));
        }

        private static long l(Matcher m, int group) {
            return Long.parseLong(m.group(group));
        }

        private static double d(Matcher m, int group) {
            return Double.parseDouble(m.group(group));
        }
    }
}
