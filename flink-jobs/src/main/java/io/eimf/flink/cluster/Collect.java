package io.eimf.flink.cluster;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.CloseableIterator;

/** Drains a job's collected results into a list (executeAndCollect(limit) would pre-size its list to the limit). */
final class Collect {
    private Collect() {}

    static <T> List<T> all(CloseableIterator<T> it) throws Exception {
        List<T> out = new ArrayList<>();
        try (it) {
            while (it.hasNext()) out.add(it.next());
        }
        return out;
    }
}
