package env

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"strings"

	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/redact"
)

// JobKafkaProperties are the Kafka client properties that give the job's
// source and sinks the harness's security: security.protocol, SASL through
// a JAAS line, the CA and client certificate inline as PEM. The private key
// it encodes is added to secrets.
func JobKafkaProperties(s KafkaSecurity, secrets *redact.Secrets) ([][2]string, error) {
	var p [][2]string
	add := func(k, v string) { p = append(p, [2]string{k, v}) }
	switch {
	case s.TLS != nil && s.SASL != nil:
		add("security.protocol", "SASL_SSL")
	case s.TLS != nil:
		add("security.protocol", "SSL")
	case s.SASL != nil:
		add("security.protocol", "SASL_PLAINTEXT")
	default:
		return nil, nil
	}
	if t := s.TLS; t != nil {
		ca := t.CAPEM
		if t.CAFile != "" {
			b, err := os.ReadFile(t.CAFile)
			if err != nil {
				return nil, fmt.Errorf("tls.ca_file: %w", err)
			}
			ca = b
		}
		if len(ca) > 0 {
			add("ssl.truststore.type", "PEM")
			add("ssl.truststore.certificates", strings.TrimSpace(string(ca)))
		}
		if t.CertFile != "" {
			chain, err := os.ReadFile(t.CertFile)
			if err != nil {
				return nil, fmt.Errorf("tls.cert_file: %w", err)
			}
			kp, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
			if err != nil {
				return nil, fmt.Errorf("tls.cert_file, tls.key_file: %w", err)
			}
			// Kafka's PEM keystore reads PKCS#8 keys only.
			der, err := x509.MarshalPKCS8PrivateKey(kp.PrivateKey)
			if err != nil {
				return nil, fmt.Errorf("tls.key_file: %w", err)
			}
			key := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
			secrets.Add(key)
			add("ssl.keystore.type", "PEM")
			add("ssl.keystore.certificate.chain", strings.TrimSpace(string(chain)))
			add("ssl.keystore.key", strings.TrimSpace(key))
		}
		if t.InsecureSkipVerify {
			add("ssl.endpoint.identification.algorithm", "")
		}
	}
	if a := s.SASL; a != nil {
		mech := strings.ToUpper(a.Mechanism)
		module := "org.apache.kafka.common.security.scram.ScramLoginModule"
		if mech == "PLAIN" {
			module = "org.apache.kafka.common.security.plain.PlainLoginModule"
		}
		q := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
		add("sasl.mechanism", mech)
		add("sasl.jaas.config", fmt.Sprintf(`%s required username="%s" password="%s";`, module, q.Replace(a.User), q.Replace(a.Password)))
	}
	return p, nil
}

// JobKafkaPropertiesArg is the job's --kafka-properties value: the base64
// of the properties as a java.util.Properties text. It carries secrets and
// is added to secrets.
func JobKafkaPropertiesArg(p [][2]string, secrets *redact.Secrets) string {
	var b strings.Builder
	for _, kv := range p {
		b.WriteString(cluster.PropertiesKey(kv[0]) + "=" + cluster.PropertiesValue(kv[1]) + "\n")
	}
	arg := base64.StdEncoding.EncodeToString([]byte(b.String()))
	secrets.Add(arg)
	return arg
}
