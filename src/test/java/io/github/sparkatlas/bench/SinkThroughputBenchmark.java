package io.github.sparkatlas.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.github.sparkatlas.AgentVersion;
import io.github.sparkatlas.delivery.DeliveryStats;
import io.github.sparkatlas.delivery.KafkaSink;
import io.github.sparkatlas.delivery.ProducerSettings;
import io.github.sparkatlas.delivery.spool.Spool;
import io.github.sparkatlas.delivery.spool.SpoolSettings;
import io.github.sparkatlas.delivery.SpoolSender;
import io.github.sparkatlas.e2e.harness.KafkaBroker;
import io.github.sparkatlas.e2e.harness.WorkDirs;
import io.github.sparkatlas.lineage.Column;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.lineage.TableDataset;
import io.github.sparkatlas.message.OutboundMessage;
import io.github.sparkatlas.message.NotificationEncoder;
import io.github.sparkatlas.message.NotificationJson;
import io.github.sparkatlas.model.ApplicationLineage;
import io.github.sparkatlas.model.Naming;
import io.github.sparkatlas.model.SparkEntityFactory;
import io.github.sparkatlas.redact.Redactor;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;

/**
 * Figure 4 of docs/benchmarks.md: how fast the Kafka delivery path moves lineage to a local broker over SASL_SSL,
 * in this JVM, without Spark. Notifications are built as the agent thread builds them (ApplicationLineage,
 * SparkEntityFactory, NotificationJson), then:
 * <ol>
 *   <li>the spool's raw append rate, without and with a sync per message;</li>
 *   <li>KafkaSink (spool + sender thread) from the first accept until flush reports everything acknowledged,
 *       for typical messages of a few KB and for a mix with 2% large ones;</li>
 *   <li>the replay path: a spool filled beforehand (an earlier application's leftovers), drained by SpoolSender as
 *       the replay command and an adopting application do;</li>
 *   <li>both again with a larger producer batch.size, which a user can set.</li>
 * </ol>
 * System property {@code bench.messages} (default 20000) sets the count of each run.
 */
class SinkThroughputBenchmark {

    private static final int MESSAGES = Integer.getInteger("bench.messages", 20_000);
    private static final int MAX_LENGTH = 900_000;
    private static final long SPOOL_MAX_BYTES = 1L << 34;
    private static final String TOPIC = "ATLAS_HOOK";
    private static final Naming NAMING = new Naming("bench");

    @Test
    void deliveryThroughputToSaslSslBroker() throws IOException, InterruptedException {
        BenchReport report = BenchReport.create("sink-throughput");
        List<OutboundMessage> typical = notifications(MESSAGES, 0);
        List<OutboundMessage> mixed = notifications(MESSAGES, 50);
        report.format("%d messages per run; typical body %.1f KB; mix: every 50th body %.0f KB (mix average "
                        + "%.1f KB)", MESSAGES, bodyBytes(typical) / 1024.0 / MESSAGES,
                bodyBytes(List.of(large(0))) / 1024.0, bodyBytes(mixed) / 1024.0 / MESSAGES);

        spoolAppend(report, typical, false);
        spoolAppend(report, typical, true);
        try (KafkaBroker broker = KafkaBroker.start(WorkDirs.newDir("bench-broker"))) {
            broker.createTopic(TOPIC, 1);
            Properties producer = ProducerSettings.of(broker.saslSslClientProperties(), MAX_LENGTH);
            // The first run in this JVM would also pay for loading and JIT-compiling the whole path.
            kafkaSink(report, producer, "warm-up, not counted", typical.subList(0, Math.min(2_000, MESSAGES)));
            kafkaSink(report, producer, "typical", typical);
            kafkaSink(report, producer, "mixed", mixed);
            replay(report, producer, broker.saslSslBootstrap(), "typical", typical);
            replay(report, producer, broker.saslSslBootstrap(), "mixed", mixed);
            // One partition and one request in flight: a request carries one batch, so batch.size (16 KB by
            // default) bounds how many records one round trip delivers. A user can raise it (atlas.kafka.batch.size).
            Map<String, String> bigBatches = new HashMap<>(broker.saslSslClientProperties());
            bigBatches.put("batch.size", "1000000");
            Properties tuned = ProducerSettings.of(bigBatches, MAX_LENGTH);
            kafkaSink(report, tuned, "typical, batch.size=1000000", typical);
            replay(report, tuned, broker.saslSslBootstrap(), "typical, batch.size=1000000", typical);
        }
        report.line("results: " + report.file());
    }

    private static void spoolAppend(BenchReport report, List<OutboundMessage> messages, boolean syncEach)
            throws IOException {
        report.load("spool append" + (syncEach ? " with sync" : ""));
        try (Spool spool = Spool.create(WorkDirs.newDir("bench-spool"), destination("127.0.0.1:9"),
                SPOOL_MAX_BYTES)) {
            long start = System.nanoTime();
            for (OutboundMessage message : messages) {
                spool.append(message);
                if (syncEach) {
                    spool.sync();
                }
            }
            spool.sync();
            double seconds = (System.nanoTime() - start) / 1e9;
            report.format("spool append, %s: %d messages in %.2f s = %.0f msg/s, %.1f MB/s of JSON", syncEach
                            ? "sync after each" : "sync once at the end (the agent syncs when its queue is empty)",
                    messages.size(), seconds, messages.size() / seconds, bodyBytes(messages) / 1e6 / seconds);
            // Left undelivered on purpose; acknowledging lets close() delete the directory.
            spool.ack(spool.lastAppended());
        }
    }

    private static void kafkaSink(BenchReport report, Properties producer, String label, List<OutboundMessage> messages)
            throws IOException {
        report.load("KafkaSink, " + label);
        KafkaSink sink = KafkaSink.open(producer, TOPIC, encoder(), Redactor.defaults(),
                new SpoolSettings(WorkDirs.newDir("bench-sink-spool"), null, SPOOL_MAX_BYTES, Long.MAX_VALUE / 2,
                        Long.MAX_VALUE / 2));
        try {
            long start = System.nanoTime();
            for (OutboundMessage message : messages) {
                sink.accept(message);
            }
            long accepted = System.nanoTime();
            boolean flushed = sink.flush(600_000);
            double seconds = (System.nanoTime() - start) / 1e9;
            DeliveryStats stats = sink.stats();
            assertTrue(flushed, () -> "everything acknowledged: " + stats);
            assertEquals(messages.size(), stats.sent(), stats::toString);
            report.format("KafkaSink, %s: %d messages accepted in %.2f s, all acknowledged after %.2f s = %.0f msg/s, "
                            + "%.1f MB/s of JSON", label, messages.size(), (accepted - start) / 1e9, seconds,
                    messages.size() / seconds, bodyBytes(messages) / 1e6 / seconds);
        } finally {
            sink.close(5_000);
        }
    }

    private static void replay(BenchReport report, Properties producerProperties, String bootstrap, String label,
                               List<OutboundMessage> messages) throws IOException, InterruptedException {
        Path base = WorkDirs.newDir("bench-replay-spool");
        Path dir;
        try (Spool spool = Spool.create(base, destination(bootstrap), SPOOL_MAX_BYTES)) {
            for (OutboundMessage message : messages) {
                spool.append(message);
            }
            spool.sync();
            dir = spool.directory();
        }
        report.load("replay, " + label);
        Producer<String, String> producer = KafkaSink.createProducer(producerProperties);
        try {
            long start = System.nanoTime();
            boolean done;
            try (Spool spool = Spool.open(dir, SPOOL_MAX_BYTES)) {
                SpoolSender sender = new SpoolSender(producer, TOPIC, bootstrap, encoder(), Redactor.defaults(),
                        150_000);
                done = sender.sendPending(spool, true);
                assertEquals(0, spool.pending());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(done, "the spool was drained");
            report.format("replay of a full spool, %s: %d messages in %.2f s = %.0f msg/s, %.1f MB/s of JSON", label,
                    messages.size(), seconds, messages.size() / seconds, bodyBytes(messages) / 1e6 / seconds);
        } finally {
            producer.close();
        }
    }

    private static String destination(String bootstrap) {
        return KafkaSink.destination(bootstrap, TOPIC);
    }

    private static NotificationEncoder encoder() {
        return new NotificationEncoder(MAX_LENGTH, true, "127.0.0.1", AgentVersion.NAME, "bench");
    }

    private static long bodyBytes(List<OutboundMessage> messages) {
        return messages.stream().mapToLong(n -> n.body().getBytes(StandardCharsets.UTF_8).length).sum();
    }

    /**
     * {@code count} notifications of 20 applications in turn, each the application's lineage after its latest
     * write, as the agent re-sends it; with {@code largeEvery > 0}, every such message is a large one instead.
     */
    private static List<OutboundMessage> notifications(int count, int largeEvery) {
        List<OutboundMessage> typical = new ArrayList<>();
        for (int app = 0; app < 20; app++) {
            typical.add(typical(app));
        }
        List<OutboundMessage> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(largeEvery > 0 && i % largeEvery == largeEvery - 1 ? large(i) : typical.get(i % typical.size()));
        }
        return out;
    }

    /** An application's lineage after an INSERT that joined two Hive tables and a landing directory into a table. */
    private static OutboundMessage typical(int app) {
        String appId = "application_1700000000000_" + (1000 + app);
        ApplicationLineage lineage = new ApplicationLineage(appId);
        lineage.add(new QueryLineage(appId, "nightly-orders-" + app, 7, "InsertIntoHadoopFsRelationCommand",
                "etl", 1_700_000_000_000L,
                List.of(table("sales", "orders", 8), table("sales", "customers", 5),
                        PathDataset.of(URI.create("hdfs://nn:8020/landing/fx_rates/2024-01-0" + (app % 9 + 1)))),
                List.of(table("mart", "customer_totals_" + app, 6)), planText(2_000)));
        return notification(lineage);
    }

    /** A wide table (1000 columns) and a plan text at the default limit of 20000 characters. */
    private static OutboundMessage large(int i) {
        String appId = "application_1700000000000_" + (5000 + i);
        ApplicationLineage lineage = new ApplicationLineage(appId);
        lineage.add(new QueryLineage(appId, "wide-" + i, 3, "InsertIntoHiveTable", "etl", 1_700_000_000_000L,
                List.of(table("raw", "events_wide", 1_000)), List.of(table("curated", "events_wide", 1_000)),
                planText(20_000)));
        return notification(lineage);
    }

    private static OutboundMessage notification(ApplicationLineage lineage) {
        String body = NotificationJson.toText(NotificationJson.toJson(
                new SparkEntityFactory(NAMING).processNotification(lineage)));
        return new OutboundMessage(lineage.applicationId(), NAMING.process(lineage.applicationId()), lineage.user(),
                System.currentTimeMillis(), body, lineage.latestPlanText() != null);
    }

    private static Dataset table(String db, String name, int columns) {
        List<Column> cols = new ArrayList<>();
        for (int c = 0; c < columns; c++) {
            cols.add(new Column("col_" + c, c % 3 == 0 ? "bigint" : c % 3 == 1 ? "string" : "decimal(18,2)", true,
                    c % 5 == 0 ? "column " + c + " of " + name : null));
        }
        return TableDataset.builder(db, name).tableType("MANAGED").provider("hive").owner("etl")
                .createTime(1_690_000_000_000L)
                .location(URI.create("hdfs://nn:8020/warehouse/" + db + ".db/" + name))
                .storage("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                        "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe")
                .partitionColumns(List.of("col_0"))
                .columns(cols)
                .build();
    }

    /** Plan-like text: indented operator lines with attribute references, as Spark's treeString renders them. */
    private static String planText(int length) {
        StringBuilder text = new StringBuilder("== Analyzed Logical Plan ==\n");
        for (int line = 0; text.length() < length; line++) {
            text.append("   ".repeat(line % 8)).append("+- Project [col_").append(line).append("#").append(100 + line)
                    .append("L, amount#").append(200 + line).append(", CAST(day#").append(300 + line)
                    .append(" AS DATE) AS day#").append(400 + line).append("]\n");
        }
        return text.substring(0, length);
    }
}
