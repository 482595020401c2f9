package env

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// KafkaSecurity is how a Kafka client secures its connections: TLS, SASL,
// both or neither (nil).
type KafkaSecurity struct {
	TLS  *TLSConfig
	SASL *SASLConfig
}

// TLSConfig is a client's TLS: the CAs it trusts (system roots if neither
// CAFile nor CAPEM), an optional client certificate, the name it verifies.
type TLSConfig struct {
	CAFile     string
	CAPEM      []byte
	CertFile   string // client certificate (PEM), with KeyFile
	KeyFile    string
	ServerName string // empty: the host of the broker dialled
	// InsecureSkipVerify accepts any server certificate.
	InsecureSkipVerify bool
}

// SASLConfig is a client's SASL authentication.
type SASLConfig struct {
	Mechanism string // PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512
	User      string
	Password  string
}

// String describes the configuration without its password.
func (c SASLConfig) String() string {
	return fmt.Sprintf("SASL %s (user %s)", c.Mechanism, c.User)
}

// Opts returns the franz-go options for s (none when both are nil).
func (s KafkaSecurity) Opts() ([]kgo.Opt, error) {
	var opts []kgo.Opt
	if s.TLS != nil {
		c, err := s.TLS.Config()
		if err != nil {
			return nil, err
		}
		opts = append(opts, kgo.DialTLSConfig(c))
	}
	if s.SASL != nil {
		o, err := s.SASL.Opt()
		if err != nil {
			return nil, err
		}
		opts = append(opts, o)
	}
	return opts, nil
}

// Config builds the crypto/tls configuration (TLS 1.2 at least).
func (t *TLSConfig) Config() (*tls.Config, error) {
	c := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify}
	switch {
	case t.CAFile != "" && len(t.CAPEM) > 0:
		return nil, errors.New("tls: ca_file and ca_pem are exclusive")
	case t.CAFile != "":
		b, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("tls.ca_file: %w", err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("tls.ca_file %s: no certificates found", t.CAFile)
		}
	case len(t.CAPEM) > 0:
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(t.CAPEM) {
			return nil, errors.New("tls.ca_pem: no certificates found")
		}
	}
	switch {
	case t.CertFile != "" && t.KeyFile != "":
		kp, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("tls.cert_file %s, tls.key_file %s: %w", t.CertFile, t.KeyFile, err)
		}
		c.Certificates = []tls.Certificate{kp}
	case t.CertFile != "":
		return nil, fmt.Errorf("tls.cert_file %s is set without tls.key_file", t.CertFile)
	case t.KeyFile != "":
		return nil, fmt.Errorf("tls.key_file %s is set without tls.cert_file", t.KeyFile)
	}
	return c, nil
}

// Opt returns the franz-go SASL option for c's mechanism (case-insensitive).
func (c *SASLConfig) Opt() (kgo.Opt, error) {
	mech := strings.ToUpper(strings.TrimSpace(c.Mechanism))
	if c.User == "" {
		return nil, fmt.Errorf("sasl (%s): user is empty", mech)
	}
	if c.Password == "" {
		return nil, fmt.Errorf("sasl (%s): password is empty", mech)
	}
	switch mech {
	case "PLAIN":
		return kgo.SASL(plain.Auth{User: c.User, Pass: c.Password}.AsMechanism()), nil
	case "SCRAM-SHA-256":
		return kgo.SASL(scram.Auth{User: c.User, Pass: c.Password}.AsSha256Mechanism()), nil
	case "SCRAM-SHA-512":
		return kgo.SASL(scram.Auth{User: c.User, Pass: c.Password}.AsSha512Mechanism()), nil
	case "":
		return nil, errors.New("sasl.mechanism is empty (want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)")
	default:
		return nil, fmt.Errorf("sasl.mechanism %q: unknown (want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)", c.Mechanism)
	}
}
