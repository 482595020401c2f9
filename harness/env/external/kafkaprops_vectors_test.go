package external

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/internal/golden"
)

var updateVectors = flag.Bool("update", false, "rewrite test vectors shared with the Java job's tests")

// kafkaPropsVector is one entry of testdata/kafka-properties-vectors.json,
// shared with the Java job's KafkaPropertiesVectorsTest: the properties the
// harness gives the job, in order, and the --kafka-properties argument it
// passes for them. Keep this format stable.
type kafkaPropsVector struct {
	Name       string      `json:"name"`
	Properties [][2]string `json:"properties"`
	Arg        string      `json:"arg"`
}

// A CA certificate's shape (the job's decoder doesn't parse it): a
// multi-line PEM value.
const vectorCAPEM = `-----BEGIN CERTIFICATE-----
MIIBdzCCAR2gAwIBAgIUQk9TVEVTVENBMTIzNDU2Nzg5MDAwCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKYWJsb2FkLWNhMB4XDTI2MTIwMTAwMDAwMFoXDTM2MTIwMTAw
MDAwMFowFTETMBEGA1UEAwwKYWJsb2FkLWNhMFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAE+/=
-----END CERTIFICATE-----
`

// kafkaPropsVectorCases are the harness's real producers of job properties
// (JobKafkaProperties for every security combination) and values that
// java.util.Properties reads specially: leading and trailing spaces, '#'
// and '!' at a value's start, '=', ':', backslashes, control characters,
// non-ASCII (escaped as \uXXXX, surrogate pairs included) and empty values.
func kafkaPropsVectorCases(t *testing.T) []kafkaPropsVector {
	t.Helper()
	sec := func(name string, s env.KafkaSecurity) kafkaPropsVector {
		p, err := env.JobKafkaProperties(s, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return kafkaPropsVector{Name: name, Properties: p}
	}
	tricky := `p"a\ss=w:o#rd !x é ✓ 🙂`
	out := []kafkaPropsVector{
		sec("sasl-ssl-scram-512", env.KafkaSecurity{TLS: &env.TLSConfig{CAPEM: []byte(vectorCAPEM)},
			SASL: &env.SASLConfig{Mechanism: "scram-sha-512", User: "abload", Password: tricky}}),
		sec("sasl-plaintext-plain", env.KafkaSecurity{SASL: &env.SASLConfig{Mechanism: "PLAIN", User: `us er\"`, Password: " lead and trail "}}),
		sec("ssl-insecure", env.KafkaSecurity{TLS: &env.TLSConfig{CAPEM: []byte(vectorCAPEM), InsecureSkipVerify: true}}),
		sec("sasl-ssl-scram-256-no-ca", env.KafkaSecurity{TLS: &env.TLSConfig{}, SASL: &env.SASLConfig{Mechanism: "SCRAM-SHA-256", User: "u", Password: "#!"}}),
		{Name: "special-values", Properties: [][2]string{
			{"security.protocol", "SSL"},
			{"ssl.key.password", "  leading spaces"},
			{"ssl.keystore.password", "trailing spaces  "},
			{"ssl.truststore.password", "#hash"},
			{"ssl.keymanager.algorithm", "!bang"},
			{"ssl.trustmanager.algorithm", "a=b:c d"},
			{"sasl.kerberos.service.name", `back\slash\`},
			{"sasl.login.class", "tab\tnewline\ncr\rff\f"},
			{"ssl.endpoint.identification.algorithm", ""},
			{"client.dns.lookup", "use_all_dns_ips"},
			{"sasl.oauthbearer.scope.claim.name", "ünï 𝄞"},
		}},
	}
	for i := range out {
		out[i].Arg = env.JobKafkaPropertiesArg(out[i].Properties, nil)
	}
	return out
}

// TestKafkaPropertiesVectors keeps testdata/kafka-properties-vectors.json
// in step with env.JobKafkaPropertiesArg (go test -run KafkaPropertiesVectors
// -update rewrites it) and reads every argument back as
// java.util.Properties would. The Java job's tests decode the same
// arguments with the job's own decoder and compare with the properties.
func TestKafkaPropertiesVectors(t *testing.T) {
	path := filepath.Join("testdata", "kafka-properties-vectors.json")
	vs := kafkaPropsVectorCases(t)
	got := golden.JSON(t, path, vs, *updateVectors)
	var file []kafkaPropsVector
	if err := json.Unmarshal(got, &file); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(file) < 5 {
		t.Fatalf("%s: %d vectors", path, len(file))
	}
	for _, v := range file {
		text, err := base64.StdEncoding.DecodeString(v.Arg)
		if err != nil {
			t.Fatalf("%s: arg is not base64: %v", v.Name, err)
		}
		back, err := xuLoadProperties(string(text))
		if err != nil || !reflect.DeepEqual(back, v.Properties) {
			t.Errorf("%s: read back %q (%v), want %q", v.Name, back, err, v.Properties)
		}
	}
}
