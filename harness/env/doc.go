// Package env is what a run needs of an environment, whatever runs it: the
// Environment interface (start, endpoints, stop, versions), the optional
// capabilities an environment may have (faults, scaling, an application
// cluster, a network proxy, Prometheus endpoints, processes to meter), the
// Endpoints a started environment offers (with the Kafka security its
// clients use), and one registry of the kinds built outside harness (the
// Docker environment registers itself).
package env
