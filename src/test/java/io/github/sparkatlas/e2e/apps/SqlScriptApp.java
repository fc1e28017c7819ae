package io.github.sparkatlas.e2e.apps;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import org.apache.spark.sql.SparkSession;

/**
 * A plain Spark application that runs a SQL script, as a user's job would; it knows nothing of the agent. The lineage
 * tests of table formats, catalogs and DDL write their statements as a script instead of an application each.
 *
 * <p>Usage: {@code SqlScriptApp <script file> [<app name>]}. Statements end with a {@code ;} at the end of a line;
 * lines starting with {@code --} are comments. Each statement runs with {@code spark.sql(...).collect()}; after it,
 * the app prints {@link #DONE_PREFIX}{@code <n>}. A statement that fails ends the application with exit code 1 (a
 * test's script is meant to run whole). At the end it waits until Spark's listeners have seen every statement,
 * then stops Spark.
 */
public final class SqlScriptApp {
    public static final String DONE_PREFIX = "SqlScriptApp done ";

    private SqlScriptApp() {
    }

    public static void main(String[] args) throws Exception {
        List<String> statements = statements(new String(Files.readAllBytes(Paths.get(args[0])),
                StandardCharsets.UTF_8));
        SparkSession spark = SparkSession.builder().appName(args.length > 1 ? args[1] : "sql-script").getOrCreate();
        for (int i = 0; i < statements.size(); i++) {
            spark.sql(statements.get(i)).collect();
            System.out.println(DONE_PREFIX + (i + 1));
        }
        spark.sparkContext().listenerBus().waitUntilEmpty();
        spark.stop();
    }

    /** The statements of a script, without comment lines and the closing {@code ;}. */
    static List<String> statements(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n", -1)) {
            String trimmed = line.trim();
            if (trimmed.startsWith("--") || trimmed.isEmpty() && current.length() == 0) {
                continue;
            }
            current.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                String statement = current.toString().trim();
                statements.add(statement.substring(0, statement.length() - 1));
                current.setLength(0);
            }
        }
        if (current.toString().trim().length() > 0) {
            statements.add(current.toString().trim());
        }
        return statements;
    }
}
