package io.github.sparkatlas.e2e.apps;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;

import java.util.Random;

import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Writes one row whose only column is a string literal of the requested size, so that the written query's plan
 * text is that large. The literal is random alphanumeric text between two markers: gzip cannot shrink it much,
 * so the agent's message stays large after compression and must be split.
 *
 * <p>Usage: {@code OversizedPlanApp <output dir> <characters> <seed>}.
 */
public final class OversizedPlanApp {

    public static final String HEAD = "OVERSIZED_BLOB_HEAD_";
    public static final String TAIL = "_OVERSIZED_BLOB_TAIL";
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private OversizedPlanApp() {
    }

    public static void main(String[] args) {
        String output = args[0];
        int characters = Integer.parseInt(args[1]);
        String blob = blob(characters, Long.parseLong(args[2]));
        SparkSession spark = SparkSession.builder().appName("oversized-plan").getOrCreate();
        try {
            spark.range(1).select(lit(blob).as("blob")).write().mode(SaveMode.Overwrite).parquet(output);
            int written = spark.read().parquet(output).select(length(col("blob"))).first().getInt(0);
            System.out.println("OversizedPlanApp done: wrote a blob of " + written + " characters");
        } finally {
            spark.stop();
        }
    }

    /** {@link #HEAD}, random alphanumerics, {@link #TAIL}: exactly {@code characters} long. */
    public static String blob(int characters, long seed) {
        Random random = new Random(seed);
        int middle = characters - HEAD.length() - TAIL.length();
        StringBuilder text = new StringBuilder(characters).append(HEAD);
        for (int i = 0; i < middle; i++) {
            text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return text.append(TAIL).toString();
    }
}
