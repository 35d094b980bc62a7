package io.eimf.flink.prepare;

import java.io.Serializable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * A step that sees a subtask's whole bounded input and emits at its end, run in the task's own thread. It replaces
 * Flink's {@code fullWindowPartition().mapPartition(...)}, whose function runs in a separate thread: an exception
 * there (a bad metadata line, a missing file) reached Flink's fatal-exit handler and stopped the whole TaskManager;
 * here it fails the task, and with it the job, with the function's message.
 */
public interface EndOfInput<IN, OUT> extends Serializable {
    /** Where results go: the main output and side outputs. */
    interface Out<OUT> {
        void collect(OUT value);

        <X> void side(OutputTag<X> tag, X value);
    }

    /** Called once before the first record (counters, files to open). */
    default void open(StreamingRuntimeContext ctx) throws Exception {}

    /** One input record; it may be kept (records are not reused across calls on these edges). */
    void add(IN record) throws Exception;

    /** All input has arrived. */
    void finish(Out<OUT> out) throws Exception;

    /** Releases resources after success or failure. */
    default void close() throws Exception {}

    /** Applies {@code fn} to {@code in} as an operator named {@code name}. */
    static <IN, OUT> SingleOutputStreamOperator<OUT> apply(DataStream<IN> in, String name, TypeInformation<OUT> type,
                                                           EndOfInput<IN, OUT> fn) {
        return in.transform(name, type, new Operator<>(fn));
    }

    /** The operator behind {@link #apply}. */
    final class Operator<IN, OUT> extends AbstractStreamOperator<OUT>
            implements OneInputStreamOperator<IN, OUT>, BoundedOneInput {
        private static final long serialVersionUID = 1L;
        private final EndOfInput<IN, OUT> fn;

        Operator(EndOfInput<IN, OUT> fn) {
            this.fn = fn;
        }

        @Override
        public void open() throws Exception {
            super.open();
            fn.open(getRuntimeContext());
        }

        @Override
        public void processElement(StreamRecord<IN> r) throws Exception {
            fn.add(r.getValue());
        }

        @Override
        public void endInput() throws Exception {
            StreamRecord<OUT> reuse = new StreamRecord<>(null);
            fn.finish(new Out<>() {
                @Override
                public void collect(OUT value) {
                    output.collect(reuse.replace(value));
                }

                @Override
                public <X> void side(OutputTag<X> tag, X value) {
                    output.collect(tag, new StreamRecord<>(value));
                }
            });
        }

        @Override
        public void close() throws Exception {
            try {
                fn.close();
            } finally {
                super.close();
            }
        }
    }
}
