package dev.abload.jobs.ab;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;

/**
 * The two keys of the job. Named classes with explicit {@link TypeInformation} (not lambdas)
 * so Flink never has to guess the generic key type.
 */
public final class Keys {
    private Keys() {}

    /** (campaign, recipient): the scope of open/click de-duplication. */
    public static final class CampaignRecipient implements KeySelector<EmailEvent, Tuple2<Integer, Long>> {
        private static final long serialVersionUID = 1L;
        public static final TypeInformation<Tuple2<Integer, Long>> TYPE = Types.TUPLE(Types.INT, Types.LONG);

        @Override
        public Tuple2<Integer, Long> getKey(EmailEvent e) {
            return Tuple2.of(e.campaign, e.recipient);
        }
    }

    /** (campaign, variant): the scope of the running counts and of the windows. */
    public static final class CampaignVariant implements KeySelector<EmailEvent, Tuple2<Integer, String>> {
        private static final long serialVersionUID = 1L;
        public static final TypeInformation<Tuple2<Integer, String>> TYPE = Types.TUPLE(Types.INT, Types.STRING);

        @Override
        public Tuple2<Integer, String> getKey(EmailEvent e) {
            return Tuple2.of(e.campaign, e.variant);
        }
    }
}
