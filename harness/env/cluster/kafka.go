package cluster

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// KafkaListeners are a single-node broker's listeners: what it binds, what
// it advertises, their security protocols, the listener brokers use among
// themselves, and where its controller listens.
type KafkaListeners struct {
	Listeners, Advertised, ProtocolMap, InterBroker, ControllerAddress string
}

// KafkaServerProperties is the server.properties of the single-node KRaft
// broker+controller every environment that starts Kafka runs: the same
// transaction, offsets and thread settings whatever the listeners.
func KafkaServerProperties(l KafkaListeners, logDir string) string {
	return fmt.Sprintf(`# Written by abload: single-node KRaft broker+controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@%s
listeners=%s
advertised.listeners=%s
controller.listener.names=CONTROLLER
inter.broker.listener.name=%s
listener.security.protocol.map=%s
log.dirs=%s
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
# A run deletes its topics from an environment that outlives it: their files
# go at once, not a minute later inside the next run's measurement.
log.segment.delete.delay.ms=1000
`, l.ControllerAddress, l.Listeners, l.Advertised, l.InterBroker, l.ProtocolMap, logDir)
}

// NewKafkaClusterID returns a fresh KRaft cluster id: 16 random bytes,
// base64url without padding. Like Kafka's own Uuid.randomUuid it never
// starts with '-', which a command line would take for an option.
func NewKafkaClusterID() string {
	for {
		id := make([]byte, 16)
		_, _ = rand.Read(id)
		if s := base64.RawURLEncoding.EncodeToString(id); s[0] != '-' {
			return s
		}
	}
}

// KafkaSASLSSLProperties are the server.properties lines of a SASL_SSL
// listener named listener that authenticates with SCRAM-SHA-256 and
// SCRAM-SHA-512 (credentials from the cluster metadata: no password here)
// and presents the PEM keystore file keystore: an unencrypted PKCS#8 key,
// then the certificate chain (Kafka 4.1 reads it without ssl.key.password).
func KafkaSASLSSLProperties(listener, keystore string) string {
	p := "listener.name." + strings.ToLower(listener) + "."
	var b strings.Builder
	b.WriteString("sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512\n")
	for _, m := range []string{"scram-sha-256", "scram-sha-512"} {
		fmt.Fprintf(&b, "%s%s.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;\n", p, m)
	}
	fmt.Fprintf(&b, "%sssl.keystore.type=PEM\n", p)
	fmt.Fprintf(&b, "%sssl.keystore.location=%s\n", p, PropertiesValue(keystore))
	fmt.Fprintf(&b, "%sssl.client.auth=none\n", p)
	return b.String()
}

// PropertiesValue escapes v as a java.util.Properties value on one line.
func PropertiesValue(v string) string {
	var b strings.Builder
	for i, r := range v {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == ' ' && i == 0:
			b.WriteString(`\ `)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
		case r < ' ' || r > '~':
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// PropertiesKey escapes a java.util.Properties key. A leading '#' or '!'
// would start a comment; PropertiesValue already escapes a leading space.
func PropertiesKey(k string) string {
	v := PropertiesValue(k)
	lead := ""
	switch {
	case strings.HasPrefix(v, `\ `):
		lead, v = `\ `, v[2:]
	case strings.HasPrefix(v, "#"), strings.HasPrefix(v, "!"):
		lead = `\`
	}
	return lead + strings.NewReplacer(`=`, `\=`, `:`, `\:`, ` `, `\ `).Replace(v)
}

// KafkaServes says whether the broker at bootstrap answers a metadata
// request with itself and an active controller (a KRaft broker that has
// started), within about 3 s.
func KafkaServes(ctx context.Context, bootstrap string) bool {
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap), kgo.DialTimeout(time.Second))
	if err != nil {
		return false
	}
	defer cl.Close()
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	m, err := kadm.NewClient(cl).BrokerMetadata(rctx)
	return err == nil && len(m.Brokers) > 0 && m.Controller >= 0
}
