package dev.abload.jobs.ab;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;

/**
 * The keys of the job. Named classes with explicit {@link TypeInformation} (not lambdas)
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

    /**
     * (campaign, variant, salt): the first phase of the salted windows. The salt is a hash of
     * the recipient modulo the number of salts, so it is deterministic per recipient (a replay
     * salts every event the same way) and spreads a hot (campaign, variant) over up to
     * {@code salts} keys.
     */
    public static final class CampaignVariantSalt implements KeySelector<EmailEvent, Tuple3<Integer, String, Integer>> {
        private static final long serialVersionUID = 1L;
        public static final TypeInformation<Tuple3<Integer, String, Integer>> TYPE =
                Types.TUPLE(Types.INT, Types.STRING, Types.INT);

        private final int salts;

        public CampaignVariantSalt(int salts) {
            if (salts < 1) {
                throw new IllegalArgumentException("salts must be >= 1, got " + salts);
            }
            this.salts = salts;
        }

        @Override
        public Tuple3<Integer, String, Integer> getKey(EmailEvent e) {
            return Tuple3.of(e.campaign, e.variant, salt(e.recipient, salts));
        }
    }

    /** (campaign, variant) of a {@link WindowPartial}: the second phase of the salted windows. */
    public static final class PartialCampaignVariant implements KeySelector<WindowPartial, Tuple2<Integer, String>> {
        private static final long serialVersionUID = 1L;
        public static final TypeInformation<Tuple2<Integer, String>> TYPE = CampaignVariant.TYPE;

        @Override
        public Tuple2<Integer, String> getKey(WindowPartial p) {
            return Tuple2.of(p.campaign, p.variant);
        }
    }

    /**
     * The salt of {@code recipient}: {@code floorMod(mix(recipient), salts)}, where {@code mix}
     * is the 64-bit finalizer of MurmurHash3 (every input bit affects every output bit), so
     * sequential or patterned recipient ids still spread evenly over the salts.
     */
    public static int salt(long recipient, int salts) {
        long h = recipient;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return Math.floorMod(h, salts);
    }
}
