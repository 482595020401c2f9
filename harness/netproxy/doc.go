// Package netproxy is the TCP proxy abload puts between the job under test
// and the Kafka broker (Shopify's toxiproxy as a library, with one abload
// toxic per direction): it adds latency and jitter, limits the path's
// bandwidth, and cuts the path without dropping data, for env.network and
// the network faults. It knows nothing of scenarios: harness translates
// them into a Shape.
package netproxy
