package io.affectune.models.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Minimal "--name value [value...]" parser for the command-line tools; no hidden defaults. */
final class Arguments {

    private final Map<String, List<String>> values = new HashMap<>();

    Arguments(String[] args, String usage) {
        String current = null;
        for (String arg : args) {
            if (arg.equals("-h") || arg.equals("--help")) {
                System.out.println(usage);
                System.exit(0);
            }
            if (arg.startsWith("--")) {
                current = arg.substring(2);
                values.put(current, new ArrayList<>());
            } else if (current == null) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'\n" + usage);
            } else {
                values.get(current).add(arg);
            }
        }
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String get(String name, String fallback) {
        List<String> v = values.get(name);
        return v == null || v.isEmpty() ? fallback : v.get(0);
    }

    String require(String name, String usage) {
        String v = get(name, null);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required\n" + usage);
        }
        return v;
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    int getInt(String name, int fallback) {
        String v = get(name, null);
        return v == null ? fallback : Integer.parseInt(v);
    }

    static int run(String usage, ThrowingMain main) {
        try {
            main.run();
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("error: " + e);
            return 1;
        }
    }

    interface ThrowingMain {
        void run() throws Exception;
    }
}
