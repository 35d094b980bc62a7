package io.eimf.mlflow.tracking;

import io.eimf.core.cli.EimfException;
import java.util.regex.Pattern;

/**
 * MLflow's rules for metric, param and tag keys ({@code [/\w.\- :]}, at most 250 characters, no {@code ..}, not
 * starting with {@code /}) and param values (at most 6000 characters), and the one mapping EIMF applies to its own
 * metric names so they pass: {@code recall@50} becomes {@code recall_at_50}. The same mapping turns a promotion
 * gate's {@code test.recall@50} into the key it looks up.
 */
public final class MlflowNames {
    /** MLflow 2.x limit on key length. */
    public static final int MAX_KEY_LENGTH = 250;
    /** MLflow 2.x limit on param value length. */
    public static final int MAX_PARAM_VALUE_LENGTH = 6000;
    /** MLflow 2.x limit on tag value length (runs). */
    public static final int MAX_TAG_VALUE_LENGTH = 8000;

    private static final Pattern VALID = Pattern.compile("^[/\\w.\\- :]*$");

    private MlflowNames() {}

    /** The key MLflow will accept for {@code name}: {@code @} becomes {@code _at_}, other bad characters {@code _}. */
    public static String key(String name) {
        String k = name.strip().replace("@", "_at_").replaceAll("[^/\\w.\\- :]", "_");
        while (k.contains("..")) k = k.replace("..", ".");
        while (k.startsWith("/")) k = k.substring(1);
        if (k.isEmpty()) throw new EimfException("empty MLflow key from '" + name + "'");
        if (k.length() > MAX_KEY_LENGTH) k = k.substring(0, MAX_KEY_LENGTH);
        return k;
    }

    /** Throws naming the key if MLflow would reject it. */
    public static void checkKey(String what, String key) {
        if (key == null || key.isEmpty() || !VALID.matcher(key).matches() || key.contains("..")
                || key.startsWith("/") || key.length() > MAX_KEY_LENGTH) {
            throw new EimfException("invalid MLflow " + what + " key '" + key
                    + "': use letters, digits, _ - . space : / (at most " + MAX_KEY_LENGTH + " chars)");
        }
    }
}
