package io.github.sparkatlas.e2e.apps;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;

import org.apache.spark.sql.SparkSession;

/**
 * A plain Spark application writing Iceberg tables as a user's job would, knowing nothing of the agent: a SQL script
 * (run as {@link SqlScriptApp} runs one), then the DataFrame API's {@code writeTo(...).append()} and
 * {@code overwritePartitions()}, which SQL cannot express, then an optional second script (DDL and DROP after the
 * writes). The Iceberg catalog is the job's configuration.
 *
 * <p>Usage: {@code IcebergWritesApp <script file> <table to append to> [<script file run last>]}; prints
 * {@link #DONE_LINE} at the end.
 */
public final class IcebergWritesApp {
    public static final String DONE_LINE = "IcebergWritesApp done";

    private IcebergWritesApp() {
    }

    public static void main(String[] args) throws Exception {
        List<String> statements = SqlScriptApp.statements(new String(Files.readAllBytes(Paths.get(args[0])),
                StandardCharsets.UTF_8));
        String target = args[1];
        SparkSession spark = SparkSession.builder().appName("iceberg-writes").getOrCreate();
        for (String statement : statements) {
            spark.sql(statement).collect();
        }
        spark.table("default.landing_orders").writeTo(target).append();
        spark.table("default.landing_updates").writeTo(target).overwritePartitions();
        if (args.length > 2) {
            for (String statement : SqlScriptApp.statements(new String(Files.readAllBytes(Paths.get(args[2])),
                    StandardCharsets.UTF_8))) {
                spark.sql(statement).collect();
            }
        }
        spark.sparkContext().listenerBus().waitUntilEmpty();
        System.out.println(DONE_LINE);
        spark.stop();
    }
}
