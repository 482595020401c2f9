package cluster

import (
	"strings"
	"testing"
)

// A KRaft cluster id is 22 base64url characters and never starts with '-'
// (StorageTool's argument parser would take it for an option).
func TestNewKafkaClusterID(t *testing.T) {
	for i := 0; i < 2000; i++ {
		id := NewKafkaClusterID()
		if len(id) != 22 || id[0] == '-' {
			t.Fatalf("cluster id %q", id)
		}
	}
}

func TestKafkaSASLSSLProperties(t *testing.T) {
	p := KafkaSASLSSLProperties("SECURE", `/tmp/a b\server.pem`)
	lines := strings.Split(strings.TrimSuffix(p, "\n"), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines, want 6:\n%s", len(lines), p)
	}
	for _, want := range []string{
		"sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512",
		"listener.name.secure.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;",
		"listener.name.secure.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;",
		"listener.name.secure.ssl.keystore.type=PEM",
		`listener.name.secure.ssl.keystore.location=/tmp/a b\\server.pem`,
		"listener.name.secure.ssl.client.auth=none",
	} {
		if !strings.Contains(p, want) {
			t.Errorf("properties lack %q", want)
		}
	}
	if got := PropertiesValue(" a\\b\tc\u00e9\U0001F600"); got != `\ a\\b\tc\u00e9\ud83d\ude00` {
		t.Errorf("PropertiesValue: %s", got)
	}
}
