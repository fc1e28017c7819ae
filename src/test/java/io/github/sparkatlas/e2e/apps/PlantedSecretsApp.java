package io.github.sparkatlas.e2e.apps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A job whose written query carries secrets of every form the agent must mask, as string literals in its SELECT
 * list and WHERE clause, so that they are in the plan text Spark renders; a table comment and a column comment with
 * secrets; and a JDBC write to an in-memory Derby database with a password in the URL and in the connection
 * properties; a path and a table whose names hold secrets that only a redaction regex names. Writes: a CTAS, an INSERT
 * into a second table, a Parquet write to that path, a CTAS of that table, the JDBC save.
 *
 * <p>Usage: {@code PlantedSecretsApp <file> [<gate dir>]}: the analyzed plan of the written query, as Spark renders
 * it, goes to that file (never to the log), so a test can see that the secrets really are in the plan;
 * {@link #EXPORT_DIR} is written beside that file. With a gate directory, the job waits after the first, second and
 * third write with lineage until a test creates {@code <gate dir>/after-write-<i>}: a test can take that write's
 * message (off the topic, or out of the spool) while it is the newest state of the process, before a newer one
 * supersedes it.
 */
public final class PlantedSecretsApp {

    public static final String TABLE = "planted_secrets";
    public static final String DONE_LINE = "PlantedSecretsApp done: " + TABLE + " has 3 rows, the JDBC table 3 rows";

    public static final String PG_PASSWORD = "SECRET_A_q7Lm2Xv9Rt";
    public static final String MSSQL_PASSWORD = "SECRET_B_w3Nc8Ks1Pa";
    public static final String MYSQL_PASSWORD = "SECRET_C_z5Hy0Qe4Ub";
    public static final String MAP_PASSWORD = "SECRET_D_r2Vj6Tg8Lo";
    public static final String SAS_SIGNATURE = "SECRET_E_k9Fb3Wd7Mx";
    public static final String AZURE_ACCOUNT_KEY = "SECRET_F_p4Gs1Yc5Ni";
    public static final String AWS_ACCESS_KEY_ID = "AKIAZQ7R3M2XK9TB4WPL";
    public static final String S3A_SECRET_KEY = "SECRET_G_t6Ae0Ru2Jh";
    public static final String JAAS_PASSWORD = "SECRET_H_m1Xo7Ez3Cq";
    /** Masked only because the job's spark.redaction.regex names "hushword". */
    public static final String HUSHWORD = "SECRET_I_d8Ln4Bw6Sk";
    /** Masked only by the job's spark.sql.redaction.string.regex. */
    public static final String SPARK_STRING_REGEX_SECRET = "SECRET_J4205938172";
    /** Masked only by the agent's atlas.spark.redaction.regex. */
    public static final String AGENT_REGEX_SECRET = "SECRET_K7731904456";
    public static final String DERBY_URL_PASSWORD = "SECRET_L_v0Pi5Zf9Ty";
    public static final String DERBY_PROPERTY_PASSWORD = "SECRET_M_h3Ku8Od2Gw";
    /** In the written table's comment, which the agent sends as the spark_table's comment. */
    public static final String TABLE_COMMENT_PASSWORD = "SECRET_N_c6Rx1Va4Yu";
    /** In a column comment of the table the job inserts into. */
    public static final String COLUMN_COMMENT_TOKEN = "SECRET_O_b9Wm3Jt7Ie";
    /** In the name of a directory the job writes to; masked only by the job's spark.sql.redaction.string.regex. */
    public static final String PATH_NAME_SECRET = "SECRET_J7310248596";
    /**
     * In the name of a table the job creates, as the catalog keeps it (lower case); masked only by the agent's
     * atlas.spark.redaction.regex.
     */
    public static final String TABLE_NAME_SECRET = "secret_k5501238847";
    /** The directory the job writes Parquet to, under the given base. */
    public static final String EXPORT_DIR = "exports/tenant_" + PATH_NAME_SECRET;
    public static final String EXPORT_TABLE = "exported_" + TABLE_NAME_SECRET;

    /** The secrets in the written query's text, so in the plan text Spark renders for it. */
    public static final List<String> IN_QUERY = List.of(PG_PASSWORD, MSSQL_PASSWORD, MYSQL_PASSWORD, MAP_PASSWORD,
            SAS_SIGNATURE, AZURE_ACCOUNT_KEY, AWS_ACCESS_KEY_ID, S3A_SECRET_KEY, JAAS_PASSWORD, HUSHWORD,
            SPARK_STRING_REGEX_SECRET, AGENT_REGEX_SECRET);

    /** Every secret the job plants (the test adds the broker's passwords). */
    public static final List<String> SECRETS = List.of(PG_PASSWORD, MSSQL_PASSWORD, MYSQL_PASSWORD, MAP_PASSWORD,
            SAS_SIGNATURE, AZURE_ACCOUNT_KEY, AWS_ACCESS_KEY_ID, S3A_SECRET_KEY, JAAS_PASSWORD, HUSHWORD,
            SPARK_STRING_REGEX_SECRET, AGENT_REGEX_SECRET, DERBY_URL_PASSWORD, DERBY_PROPERTY_PASSWORD,
            TABLE_COMMENT_PASSWORD, COLUMN_COMMENT_TOKEN, PATH_NAME_SECRET, TABLE_NAME_SECRET);

    /** The secrets in the written query, each in the form it takes there. */
    public static final String SELECT = "SELECT id,"
            + " 'jdbc:postgresql://bob:" + PG_PASSWORD + "@db:5432/x' AS pg_url,"
            + " 'jdbc:sqlserver://db:1433;databaseName=x;user=bob;password=" + MSSQL_PASSWORD + "' AS mssql_url,"
            + " 'jdbc:mysql://db:3306/x?user=bob&password=" + MYSQL_PASSWORD + "' AS mysql_url,"
            + " 'Map(url -> jdbc:postgresql://db/x, user -> bob, password -> " + MAP_PASSWORD + ")' AS options,"
            + " 'https://acct.blob.core.windows.net/c/f?sv=2022-11-02&sig=" + SAS_SIGNATURE + "' AS sas_url,"
            + " 'fs.azure.account.key.acct.dfs.core.windows.net=" + AZURE_ACCOUNT_KEY + "' AS azure_conf,"
            + " 'aws id " + AWS_ACCESS_KEY_ID + " in use' AS aws_id,"
            + " 'fs.s3a.secret.key=" + S3A_SECRET_KEY + "' AS s3a_conf,"
            + " 'org.apache.kafka.common.security.plain.PlainLoginModule required username=\"$ConnectionString\""
            + " password=\"" + JAAS_PASSWORD + "\";' AS jaas,"
            + " 'hushword=" + HUSHWORD + "' AS custom_key,"
            + " 'note " + SPARK_STRING_REGEX_SECRET + " end' AS spark_string,"
            + " 'ref " + AGENT_REGEX_SECRET + " end' AS agent_string"
            + " FROM range(3)"
            + " WHERE concat('row ', CAST(id AS STRING)) NOT IN ("
            + "'jdbc:mysql://db:3306/x?user=bob&password=" + MYSQL_PASSWORD + "',"
            + " 'fs.s3a.secret.key=" + S3A_SECRET_KEY + "',"
            + " 'aws id " + AWS_ACCESS_KEY_ID + "',"
            + " 'note " + SPARK_STRING_REGEX_SECRET + "',"
            + " 'ref " + AGENT_REGEX_SECRET + "')";

    private PlantedSecretsApp() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path planFile = Path.of(args[0]);
        Path gates = args.length > 1 ? Path.of(args[1]).toAbsolutePath() : null;
        SparkSession spark = SparkSession.builder().appName("planted-secrets").getOrCreate();
        try {
            Dataset<Row> query = spark.sql(SELECT);
            Files.writeString(planFile, query.queryExecution().analyzed().treeString(), StandardCharsets.UTF_8);
            spark.sql("CREATE TABLE " + TABLE + " USING parquet COMMENT 'loaded from jdbc:postgresql://etl:"
                    + TABLE_COMMENT_PASSWORD + "@db:5432/x' AS " + SELECT);
            pass(gates, 1);
            long rows = spark.table(TABLE).count();
            spark.sql("CREATE TABLE " + TABLE + "_copy (id BIGINT, pg_url STRING COMMENT 'api_token="
                    + COLUMN_COMMENT_TOKEN + "') USING parquet");
            spark.sql("INSERT INTO " + TABLE + "_copy SELECT id, pg_url FROM " + TABLE);
            pass(gates, 2);
            spark.table(TABLE).select("id").write().parquet(planFile.toAbsolutePath().getParent()
                    .resolve(EXPORT_DIR).toString());
            pass(gates, 3);
            spark.table(TABLE).select("id").write().format("parquet").saveAsTable(EXPORT_TABLE);

            String url = "jdbc:derby:memory:planted;create=true;user=app;password=" + DERBY_URL_PASSWORD;
            Properties connection = new Properties();
            connection.setProperty("user", "app");
            connection.setProperty("password", DERBY_PROPERTY_PASSWORD);
            spark.range(3).selectExpr("id", "'row' AS v").write().jdbc(url, "planted", connection);
            long jdbcRows = spark.read().jdbc(url, "planted", connection).count();

            if (rows == 3 && jdbcRows == 3) {
                System.out.println(DONE_LINE);
            } else {
                System.out.println("PlantedSecretsApp: unexpected row counts " + rows + ", " + jdbcRows);
            }
        } finally {
            spark.stop();
        }
    }

    private static void pass(Path gates, int write) throws InterruptedException {
        if (gates != null) {
            ScriptedWritesApp.awaitFile(gates.resolve("after-write-" + write));
        }
    }
}
